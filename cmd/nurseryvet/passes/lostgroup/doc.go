// Package lostgroup defines an Analyzer that reports groups, executors and
// resource stacks that a function makes and can return without closing.
//
// A *group.Group from group.New, an *executor.Executor from executor.New
// or a *resource.Stack from resource.NewStack owns goroutines until it is
// closed. The check reports one that can reach a return of the function
// that made it on some path without a Close, Wait or Shutdown of it (or of
// the local group it was made in, which closes it too), and without being
// handed on: returned, stored, or passed to a function. A deferred Close
// counts from the defer on; so does a Close in a function literal, such as
// t.Cleanup(func() { g.Close() }). It also reports such a result that is
// dropped at once, and a zero-value group.Group variable that starts tasks
// but is never closed, waited for or handed on.
package lostgroup
