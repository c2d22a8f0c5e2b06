// Package waitinside defines an Analyzer that reports a task that waits for
// its own group.
//
// Group.Wait, Close and Shutdown wait for every task of the group, the
// caller included when the caller is one of them, so called from a task of
// the group (or of a subgroup or executor made in it) they could never
// return; at run time they return group.ErrWaitInTask after a second. The
// check reports such a call when the task is a function literal passed to
// the same variable's Go, Start, Submit, OnClose… (or group.Async,
// executor.Async, Exec, Map…) and the call runs in the task's own goroutine.
package waitinside
