package bench_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"testing"

	dropin "github.com/nursery-go/nursery/group/errgroup"
	"golang.org/x/sync/errgroup"
)

// errGroup is the API that x/sync's errgroup.Group and its drop-in share.
type errGroup interface {
	Go(func() error)
	TryGo(func() error) bool
	SetLimit(int)
	Wait() error
}

// BenchmarkDropin measures spawning one tiny function with Go and waiting
// for it, x/sync's errgroup beside group/errgroup, one op per function as in
// BenchmarkSpawnWait: batches of 1000 into a fresh zero Group, then Wait.
// limit=8 sets that limit first, so Go blocks most of the time.
func BenchmarkDropin(b *testing.B) {
	impls := []struct {
		name string
		make func() errGroup
	}{
		{"x-errgroup", func() errGroup { return new(errgroup.Group) }},
		{"nursery-errgroup", func() errGroup { return new(dropin.Group) }},
	}
	for _, limit := range []int{-1, 8} {
		lname := "none"
		if limit >= 0 {
			lname = strconv.Itoa(limit)
		}
		for _, impl := range impls {
			b.Run("limit="+lname+"/impl="+impl.name, func(b *testing.B) {
				batches(b, func(n int) {
					g := impl.make()
					g.SetLimit(limit)
					for i := range n {
						g.Go(func() error {
							out[i] = tiny(i)
							return nil
						})
					}
					if err := g.Wait(); err != nil {
						b.Fatal(err)
					}
				})
			})
		}
	}
}

// TestDropinMatchesErrgroup runs the same random scripts of Go, TryGo,
// SetLimit, Wait and failing functions against x/sync's errgroup and
// group/errgroup, and requires the same observations from both: what TryGo
// reports, what Wait returns (by index of the error), the cause of
// WithContext's context after each Wait (odd seeds), and how many functions
// ran. Scripts keep to what x/sync defines: SetLimit only when no
// function is active, and Go only when it cannot block forever.
func TestDropinMatchesErrgroup(t *testing.T) {
	for seed := range uint64(400) {
		withCtx := seed%2 == 1 // odd seeds use WithContext and check its cause
		want := runScript(func() (errGroup, context.Context) {
			if withCtx {
				return errgroup.WithContext(context.Background())
			}
			return new(errgroup.Group), nil
		}, seed)
		got := runScript(func() (errGroup, context.Context) {
			if withCtx {
				return dropin.WithContext(context.Background())
			}
			return new(dropin.Group), nil
		}, seed)
		if got != want {
			t.Fatalf("seed %d:\nx/sync:  %s\ndrop-in: %s", seed, want, got)
		}
	}
}

// runScript drives g through the script made from seed and returns a
// transcript of what it observed. Each function waits on a gate of its own,
// and the script releases them one at a time in the order they started, so
// which functions are active, and which error comes first, is known at
// every step. Until an error has been returned by Wait, at most one
// function between two Waits fails: the order in which two released
// functions' errors are recorded is not defined.
func runScript(mk func() (errGroup, context.Context), seed uint64) string {
	g, ctx := mk()
	r := rand.New(rand.NewPCG(seed, 42))
	errs := make([]error, 8)
	for i := range errs {
		errs[i] = errors.New("err" + strconv.Itoa(i))
	}
	type pending struct{ gate, returned chan struct{} }
	var (
		transcript []byte
		active     []pending // started and not released, oldest first
		limit      = -1
		count      int  // functions that ran; each ran before its returned closes
		failing    bool // a function since the last Wait returns an error
		sticky     bool // Wait has returned an error
	)
	body := func(err error) (func() error, pending) {
		p := pending{make(chan struct{}), make(chan struct{})}
		return func() error {
			defer close(p.returned)
			<-p.gate
			count++
			return err
		}, p
	}
	pick := func() error {
		if r.IntN(3) != 0 {
			return nil
		}
		err := errs[r.IntN(len(errs))]
		if failing && !sticky {
			return nil
		}
		failing = true
		return err
	}
	log := func(s string) { transcript = append(transcript, s...); transcript = append(transcript, ' ') }
	release := func() {
		for _, p := range active {
			close(p.gate)
			<-p.returned
		}
		active, failing = active[:0], false
		err := g.Wait()
		sticky = sticky || err != nil
		log("wait=" + name(err, errs))
		if ctx != nil {
			log("cause=" + name(context.Cause(ctx), errs))
		}
	}
	for range 40 {
		switch op := r.IntN(10); {
		case op < 4: // Go, only where it cannot block
			if limit >= 0 && len(active) >= limit {
				continue
			}
			fn, p := body(pick())
			g.Go(fn)
			active = append(active, p)
			log("go")
		case op < 7:
			fn, p := body(pick())
			ok := g.TryGo(fn)
			if ok {
				active = append(active, p)
			}
			log("try=" + strconv.FormatBool(ok))
		case op < 8:
			release()
			limit = r.IntN(5) - 1
			g.SetLimit(limit)
			log("limit=" + strconv.Itoa(limit))
		default:
			release()
		}
	}
	release()
	return string(transcript) + "ran=" + strconv.Itoa(count)
}

// name returns "nil" or the index of err in errs.
func name(err error, errs []error) string {
	for i, e := range errs {
		if e == err {
			return strconv.Itoa(i)
		}
	}
	switch err {
	case nil:
		return "nil"
	case context.Canceled:
		return "canceled"
	}
	return "other:" + err.Error()
}
