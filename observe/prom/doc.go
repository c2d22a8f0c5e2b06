// Package prom exposes a nursery program to Prometheus: a [Collector]
// reports the task counts of the groups added to it exactly as their
// [group.Stats] give them, read at each scrape, so that they cost the
// tasks nothing and always add up; the durations, panics and restarts it
// learns from events as the group's observer.
//
//	c := prom.New()
//	prometheus.MustRegister(c)
//	root := group.New(ctx, group.Name("server"), group.Observe(c.Observe))
//	c.AddGroup(root)
//	c.AddExecutor(pool)
//	http.Handle("/metrics", promhttp.Handler())
//
// # Metrics
//
// The group label is a group's path with unnamed groups as "#" rather than
// "#id", so that a group made per request adds to one series; groups or
// executors with the same such path add up, as do queues with the same
// name.
//
//	name                                     type       labels        from
//	nursery_tasks_spawned_total              counter    group         Stats.Spawned
//	nursery_tasks_finished_total             counter    group, state  Stats.Succeeded, Failed, Canceled, Refused
//	nursery_tasks_running                    gauge      group         Stats.Running
//	nursery_task_duration_seconds            histogram  group, state  events: how long each task that ran took
//	nursery_task_panics_total                counter    group         events: panics (also in state="failed")
//	nursery_task_restarts_total              counter    group         events: supervised restarts
//	nursery_executor_workers                 gauge      group, state  executor Stats: busy = Workers, idle = MaxWorkers - Workers
//	nursery_executor_jobs_waiting            gauge      group         executor Stats.Waiting
//	nursery_executor_submitters_blocked      gauge      group         executor Stats.Blocked
//	nursery_executor_submit_blocked_seconds  histogram  group         events: how long a blocked submitter waited
//	nursery_queue_length                     gauge      queue         Len()
//
// state is a [group.TaskState] name: succeeded, failed (panics included),
// canceled or refused. The counts from Stats are a group's own tasks, not
// its subgroups': add each group whose tasks should be counted. The event
// figures cover every group under the root that the observer is given to.
// nursery_tasks_running counts tasks accepted and not finished, so for an
// executor's group it includes the jobs waiting for a worker.
package prom
