package call

import "context"

// mustContext panics with a clear message if ctx is nil.
func mustContext(ctx context.Context, fn string) {
	if ctx == nil {
		panic("call: " + fn + " with nil context")
	}
}
