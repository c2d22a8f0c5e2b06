package resource

import "testing"

// BenchmarkServeHandlerCount measures what Serve adds to every request:
// counting the handler in and out, from many goroutines at once, as
// concurrent requests do.
func BenchmarkServeHandlerCount(b *testing.B) {
	var h handlers
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			h.add(1)
			h.add(-1)
		}
	})
	if h.n != 0 {
		b.Fatalf("%d handlers left running", h.n)
	}
}
