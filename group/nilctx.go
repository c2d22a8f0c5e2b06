package group

import "context"

// mustContext panics if ctx is nil, naming the function the caller called.
// A nil context is a programmer error; the standard library's rule is to
// panic at the call site, before any lock is taken or goroutine started,
// rather than to crash later somewhere less telling.
func mustContext(ctx context.Context, fn string) {
	if ctx == nil {
		panic("group: " + fn + " with nil context")
	}
}
