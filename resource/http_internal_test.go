package resource

import (
	"net/http/httptest"
	"testing"
)

// BenchmarkServeHandlerCount measures what Serve adds to every request:
// counting the handler in and out, from many goroutines at once, as
// concurrent requests do.
func BenchmarkServeHandlerCount(b *testing.B) {
	var h handlers
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		r := httptest.NewRequest("GET", "/", nil)
		for pb.Next() {
			h.enter(r)
			h.leave(r)
		}
	})
	if h.n != 0 {
		b.Fatalf("%d handlers left running", h.n)
	}
}
