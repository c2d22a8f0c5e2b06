// Package example is the lostgroup example's input.
package example

import (
	"context"

	"github.com/nursery-go/nursery/group"
)

func fetch(ctx context.Context) error { return nil }

func fetchAll(ctx context.Context, urls []string) error {
	g := group.New(ctx)
	for range urls {
		g.Go(fetch)
	}
	if len(urls) > 100 {
		return context.Canceled // g is left running
	}
	return g.Wait()
}
