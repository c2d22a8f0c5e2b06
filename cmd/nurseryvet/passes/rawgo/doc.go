// Package rawgo defines an Analyzer that reports go statements in functions
// that have a group at hand.
//
// A goroutine started with a go statement has no owner: nothing waits for
// it, cancels it or sees its panic. In a function with a local variable or
// parameter of type group.Group, *group.Group, *resource.Stack or
// *executor.Executor, the check reports each go statement and suggests
// g.Go, rewriting go func() { … }() and go f() when the group is a group or
// a stack and the file imports context. Some raw goroutines are deliberate
// (a watchdog that must outlive the group), so nurseryvet runs this check
// only when asked with -rawgo.
package rawgo
