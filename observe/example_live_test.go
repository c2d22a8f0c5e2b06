package observe_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/nursery-go/nursery/group"
	"github.com/nursery-go/nursery/observe"
)

// A browser that opens the handler's URL gets the live page; curl, with no
// Accept header, gets text.
func ExampleHandler_browser() {
	root := group.New(context.Background(), group.Name("server"))
	defer root.Close()
	srv := httptest.NewServer(observe.Handler(root))
	defer srv.Close()

	for _, accept := range []string{"text/html,application/xhtml+xml,*/*;q=0.8", ""} {
		req, err := http.NewRequest(http.MethodGet, srv.URL+"/debug/nursery", nil)
		if err != nil {
			fmt.Println(err)
			return
		}
		req.Header.Set("Accept", accept)
		resp, err := srv.Client().Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		resp.Body.Close()
		fmt.Println(resp.Header.Get("Content-Type"))
	}
	// Output:
	// text/html; charset=utf-8
	// text/plain; charset=utf-8
}
