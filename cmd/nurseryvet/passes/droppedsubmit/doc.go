// Package droppedsubmit defines an Analyzer that reports discarded results
// of the calls that hand work or items to the library and can refuse them.
//
// Executor.Submit, Enqueue, executor.Async, EnqueueAsync and Exec return an
// error when the job was refused (the executor closed, the context ended,
// ErrDeadlock, a full backlog) or, for Exec, failed; Executor.TrySubmit's
// bool says whether the job started. Queue.Put and TryPut return an error
// when the item was not put, Group.Start when the task never became ready,
// resource.Open when the resource did not open. Dropping that result, in
// an expression statement, a go or defer statement or an assignment to _,
// loses the work without a trace.
package droppedsubmit
