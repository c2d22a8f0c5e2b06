// Nurseryvet reports misuse of the nursery structured-concurrency library
// that is visible in the source, before it runs: groups that are never
// closed, tasks that ignore their own context, refused work that goes
// unnoticed, and tasks that wait for their own group.
//
// Install it with
//
//	go install github.com/nursery-go/nursery/cmd/nurseryvet@latest
//
// and run it on packages standalone, or as go vet's vet tool:
//
//	nurseryvet ./...
//	go vet -vettool=$(which nurseryvet) ./...
//
// It exits non-zero when it reports anything. -fix applies the suggested
// fixes; -json prints the findings as JSON; "nurseryvet help NAME" describes
// a check.
//
// # Checks
//
// lostgroup: a group.New, executor.New or resource.NewStack result that can
// reach a return of the function that made it without a Close, Wait or
// Shutdown and without being returned, stored or passed on (an executor or
// stack made in a group follows that group); one dropped at once; a
// zero-value group.Group that starts tasks and is never closed. Fix: defer
// g.Close() after making it (suggested).
//
// outerctx: a function literal given to the library (Go, Async, Submit,
// Exec, Start, flow stages, Supervise…) whose context parameter is blank,
// unnamed or unused while it passes a context captured from the enclosing
// function to a call: its group cannot cancel it. Fix: name the parameter
// and use it (suggested).
//
// droppedsubmit: the dropped error of Executor.Submit, Enqueue, Async,
// EnqueueAsync, Exec, Queue.Put, TryPut, Group.Start or resource.Open, or
// the ok of TrySubmit. An explicit _ = … is a visible decision and is
// reported only with -droppedsubmit.blank. A function literal without a
// context parameter in a _test.go file is taken for a test of the
// library's panics, require.Panics(t, func() { ex.TrySubmit(nil) }), and
// its drops are not reported (lostgroup treats dropped groups there alike).
//
// waitinside: Wait, Close or Shutdown of a group (or of an executor, or of
// a group that owns it) called in the goroutine of a function literal
// passed to that same variable's Go, Start, Submit, OnClose… It returns
// group.ErrWaitInTask at run time. Code in a top-level declaration that
// names group.ErrWaitInTask expects it and is not reported.
//
// rawgo, off by default: a go statement in a function that has a
// group.Group, *resource.Stack or *executor.Executor variable in scope.
// Fix: g.Go(func(context.Context) error { f(); return nil }) (suggested
// for go f() and go func() { … }()). -rawgo runs it; like go vet's own
// flags, naming checks runs only those, so run it on its own or name the
// others too (-rawgo -lostgroup -outerctx -droppedsubmit -waitinside).
//
// # Silencing a finding
//
// A deliberate case carries a comment on its line, or alone on the line
// above:
//
//	//nurseryvet:ignore reason
//	//nurseryvet:ignore=outerctx,lostgroup reason
//
// The first silences every check there, the second only those named.
package main
