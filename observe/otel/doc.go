// Package otel reports a nursery program to OpenTelemetry: every task that
// runs becomes a span under its group's span, so that traces have the
// shape of the group tree, and every task that reaches a final state is
// counted once by that state, so that the counts equal the groups'
// [group.Stats].
//
// Its name clashes with go.opentelemetry.io/otel's; import it renamed:
//
//	import nurseryotel "github.com/nursery-go/nursery/observe/otel"
//
//	root := group.New(ctx, group.Name("server"), group.Observe(nurseryotel.Observer()))
//	nurseryotel.ObserveExecutor(pool)
//
// [Observer] uses the global tracer and meter providers unless
// [WithTracerProvider] and [WithMeterProvider] name others.
//
// # Spans
//
// A task's span starts when its function is called and ends when it
// returns; it is named after the task ("#id" when unnamed) and carries
// nursery.group (the group's path), nursery.task.id, nursery.task.name and,
// at its end, nursery.task.state. A failure sets the status to Error and
// records the error; a panic does too, with an "exception" event holding
// the panic's value, type and stack; a supervised restart adds a
// "nursery.task.restart" event (nursery.restart.attempt, and
// nursery.restart.backoff in seconds) to the supervisor's span. Succeeded
// and cancelled tasks keep the status Unset: cancellation is how
// structured concurrency stops work, not a failure. Tasks that never ran
// (refused, or cancelled before they started) have no span; the metrics
// count them.
//
// A group's span is the parent of its tasks' and subgroups' spans; a root
// group's span is a child of the span in the context the root was made
// with, if any. It is named after the group and carries nursery.group. It
// starts when the group is first seen, when a task of it or of a subgroup
// starts, and ends when the group is Closed, before Wait, Close or
// Shutdown return: every span of a group's tree has ended by the time the
// root's Wait returns. A group that ends with failures, its tasks' or its
// subgroups' (but not those an OnError handler took), has the status
// Error with its combined failures as the description; one that was only
// cancelled keeps Unset. A group none of whose tasks ran, its subgroups'
// included, has no span.
//
// The spans of tasks do not reach the tasks' contexts: spans that a task
// starts from its context hang under the root's parent, not under the
// task's span.
//
// # Metrics
//
// Unnamed groups appear in the nursery.group attribute of metrics as "#"
// rather than "#id", so that a group made per request adds to one series.
//
//	name                                      instrument          unit         attributes
//	nursery.task.started                      Counter             {task}       nursery.group
//	nursery.task.finished                     Counter             {task}       nursery.group, nursery.task.state
//	nursery.task.running                      UpDownCounter       {task}       nursery.group
//	nursery.task.duration                     Histogram           s            nursery.group, nursery.task.state
//	nursery.task.panics                       Counter             {panic}      nursery.group
//	nursery.task.restarts                     Counter             {restart}    nursery.group
//	nursery.executor.submit.blocked.duration  Histogram           s            nursery.group
//	nursery.executor.workers                  ObservableUpDown    {worker}     nursery.group, nursery.executor.worker.state
//	nursery.executor.jobs.waiting             ObservableUpDown    {job}        nursery.group
//	nursery.executor.submitters.blocked       ObservableUpDown    {submitter}  nursery.group
//	nursery.queue.length                      ObservableUpDown    {item}       nursery.queue.name
//
// nursery.task.state is a [group.TaskState] name: succeeded, failed
// (panics included), canceled or refused, so that for each group the
// finished counts equal [group.Stats]' Succeeded, Failed, Canceled and
// Refused. started counts tasks whose function was called, running those
// whose function has not returned yet (Stats' Running also counts tasks
// accepted but not yet started), and duration the tasks that ran. The
// executor and queue figures are read when the meter collects, from the
// executors and queues named to [ObserveExecutor] and [ObserveQueue].
package otel
