// Package cancel is a stub of github.com/nursery-go/nursery/cancel for the
// analyzers' tests: the real signatures, no behaviour.
package cancel

import "context"

type Option interface{ apply() }

func Shield(ctx context.Context, fn func(ctx context.Context) error, opts ...Option) error {
	return nil
}
