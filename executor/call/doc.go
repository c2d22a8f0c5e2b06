// Package call shapes how a function is called — how often, how late, how
// many times, and what runs after it — without owning any goroutine: every
// wrapper runs in its caller's goroutine, and every timer it starts is
// stopped before it returns.
//
//	fetch := call.Throttle(fetchPrices, time.Second) // one real call a second, shared
//	v, err := call.Retry(ctx, fetch, call.Attempts(5))
//
// [NewRateLimiter] lets at most n calls start per period, first come first
// served; [Throttle] shares the result of a frame's real calls ([PerFrame]
// of them) with the frame's other calls, or refuses them ([FailThrottled]);
// [Defer] and [Interval] make task bodies that start late or run
// periodically, [Runs] times at most; [Retry] retries with a [Backoff] (shared
// with resource.Supervise) until [Permanent] or the last attempt; [Times]
// runs a function at most n times and then repeats its last result; [Then] and
// [ThenEach] run a callback after a function, in the same task. Each works
// on plain func(ctx) functions: give the result to a group, an executor or
// a direct call. The whole contract is in https://github.com/nursery-go/nursery/blob/main/docs/call.md.
package call
