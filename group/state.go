package group

import "fmt"

// State is the lifecycle state of a [Group]. It only moves forward:
// Open → Closing → Closed.
type State int32

const (
	// Open: the group accepts new tasks.
	Open State = iota
	// Closing: the group refuses new tasks and waits for its running tasks
	// and subgroups to return.
	Closing
	// Closed: every task and subgroup has returned.
	Closed
)

// String returns "open", "closing" or "closed".
func (s State) String() string {
	switch s {
	case Open:
		return "open"
	case Closing:
		return "closing"
	case Closed:
		return "closed"
	}
	return "State(?)"
}

// TaskState is the state of a [Task]. A task reaches exactly one of the final
// states Succeeded, Failed, Canceled or Refused, and then never changes.
type TaskState int32

const (
	// Pending: accepted, not yet running.
	Pending TaskState = iota
	// Running: its function has been called and has not returned.
	Running
	// Succeeded: its function returned nil.
	Succeeded
	// Failed: its function returned an error, panicked or called
	// runtime.Goexit.
	Failed
	// Canceled: its context was cancelled and it returned that context's
	// error or cause, or it was cancelled before it started.
	Canceled
	// Refused: its group was not open, so it never ran.
	Refused
)

// String returns the state's name in lower case.
func (s TaskState) String() string {
	switch s {
	case Pending:
		return "pending"
	case Running:
		return "running"
	case Succeeded:
		return "succeeded"
	case Failed:
		return "failed"
	case Canceled:
		return "canceled"
	case Refused:
		return "refused"
	}
	return "TaskState(?)"
}

// Final reports whether s is one of the final states.
func (s TaskState) Final() bool { return s >= Succeeded }

// Stats counts a group's own tasks (not those of its subgroups). Every task
// is counted in Spawned when it is started or refused, and at every moment
// Spawned = Running + Succeeded + Failed + Canceled + Refused, where Running
// includes tasks not yet scheduled.
type Stats struct {
	Spawned   int64 `json:"spawned"`
	Running   int64 `json:"running"`
	Succeeded int64 `json:"succeeded"`
	Failed    int64 `json:"failed"`
	Canceled  int64 `json:"canceled"`
	Refused   int64 `json:"refused"`
}

// MarshalText encodes the state as its name, so that JSON shows "open".
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText decodes a name written by MarshalText.
func (s *State) UnmarshalText(b []byte) error {
	for c := Open; c <= Closed; c++ {
		if c.String() == string(b) {
			*s = c
			return nil
		}
	}
	return fmt.Errorf("group: unknown group state %q", b)
}

// MarshalText encodes the state as its name, so that JSON shows "running".
func (s TaskState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText decodes a name written by MarshalText.
func (s *TaskState) UnmarshalText(b []byte) error {
	for c := Pending; c <= Refused; c++ {
		if c.String() == string(b) {
			*s = c
			return nil
		}
	}
	return fmt.Errorf("group: unknown task state %q", b)
}
