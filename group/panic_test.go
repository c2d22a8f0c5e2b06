package group_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/nursery-go/nursery/group"
	"github.com/stretchr/testify/require"
)

func TestPanicIsRaisedAgainInWaitAfterSiblingsAreJoined(t *testing.T) {
	hooked := make(chan *group.PanicError, 1)
	g := group.New(context.Background(), quietPanics(hooked))
	var siblingDone atomic.Bool
	up := make(chan struct{})
	g.Go(func(ctx context.Context) error {
		close(up)
		<-ctx.Done()
		siblingDone.Store(true)
		return ctx.Err()
	})
	recv(t, up, "sibling start")
	g.Go(func(context.Context) error { panicHere(); return nil }, group.Name("crasher"))

	v := catch(func() { _ = wait(t, g) })
	pe, ok := v.(*group.PanicError)
	require.True(t, ok, "Wait raised %T %v", v, v)
	require.True(t, siblingDone.Load(), "siblings are joined before the panic is raised again")
	require.Equal(t, "kaboom", pe.Value)
	require.Contains(t, pe.Task, "crasher")
	require.Contains(t, string(pe.Stack), "panicHere", "the original stack is kept")
	require.Equal(t, pe.Error(), `group: task `+pe.Task+` panicked: kaboom`, "Error is one line")
	require.Contains(t, fmt.Sprintf("%+v", pe), "panicHere", "%+v adds the stack")
	require.Equal(t, pe.Error(), fmt.Sprint(pe))
	require.Same(t, pe, take(t, hooked), "the hook heard of the panic when it was recovered")

	// The panic is raised once; later waits return it as an error.
	err := wait(t, g)
	var again *group.PanicError
	require.ErrorAs(t, err, &again)
	require.Same(t, pe, again)
	require.Equal(t, group.Stats{Spawned: 2, Failed: 1, Canceled: 1}, g.Stats())
}

//go:noinline
func panicHere() { panic("kaboom") }

func TestPanicIsReportedAtRecoveryNotOnlyAtWait(t *testing.T) {
	hooked := make(chan *group.PanicError, 1)
	g := group.New(context.Background(), quietPanics(hooked))
	g.Go(func(context.Context) error { panic("early") })
	select {
	case pe := <-hooked:
		require.Equal(t, "early", pe.Value)
	case <-recvTimeout():
		t.Fatal("panic hook not called before Wait")
	}
	require.NotNil(t, catch(func() { _ = closeAndWait(t, g) }))
}

func TestPanicsAsErrors(t *testing.T) {
	boom := errors.New("boom")
	g := group.New(context.Background(), group.PanicsAsErrors(), quietPanics(nil))
	g.Go(func(context.Context) error { panic(boom) })
	var err error
	require.Nil(t, catch(func() { err = wait(t, g) }))
	var pe *group.PanicError
	require.ErrorAs(t, err, &pe)
	require.ErrorIs(t, err, boom, "a panic with an error value unwraps to it")
}

func TestPanicsAsErrorsWithOnErrorGoToTheHandler(t *testing.T) {
	got := make(chan error, 1)
	g := group.New(context.Background(), group.PanicsAsErrors(), quietPanics(nil),
		group.OnError(func(err error) { got <- err }))
	recv(t, g.Go(func(context.Context) error { panic("handled") }).Done(), "task")
	require.Equal(t, group.Open, g.State())
	var pe *group.PanicError
	require.ErrorAs(t, take(t, got), &pe)
	require.NoError(t, closeAndWait(t, g))
}

func TestPanicInSupervisedGroupStillFailsIt(t *testing.T) {
	g := group.New(context.Background(), quietPanics(nil), group.OnError(func(error) {}))
	g.Go(func(context.Context) error { panic("bug") })
	v := catch(func() { _ = wait(t, g) })
	require.IsType(t, &group.PanicError{}, v)
}

func TestPanicNilIsAPanic(t *testing.T) {
	g := group.New(context.Background(), group.PanicsAsErrors(), quietPanics(nil))
	task := g.Go(func(context.Context) error { panic(nil) })
	err := wait(t, g)
	var pe *group.PanicError
	require.ErrorAs(t, err, &pe)
	var pn *runtime.PanicNilError
	require.ErrorAs(t, err, &pn)
	require.Equal(t, group.Failed, task.State())
}

func TestGoexitCompletesBookkeeping(t *testing.T) {
	g := group.New(context.Background())
	task := g.Go(func(context.Context) error {
		runtime.Goexit()
		return nil
	}, group.Name("quitter"))
	err := wait(t, g)
	require.ErrorIs(t, err, group.ErrGoexit)
	require.Equal(t, group.Failed, task.State())
	require.ErrorIs(t, task.Err(), group.ErrGoexit)
	require.Equal(t, group.Stats{Spawned: 1, Failed: 1}, g.Stats())
}

func TestSubgroupPanicReachesTheParent(t *testing.T) {
	g := group.New(context.Background(), quietPanics(nil))
	sub := g.Subgroup()
	sub.Go(func(context.Context) error { panic("deep") })
	v := catch(func() { _ = wait(t, g) })
	pe, ok := v.(*group.PanicError)
	require.True(t, ok, "got %T", v)
	require.Equal(t, "deep", pe.Value)
	require.Equal(t, group.Closed, sub.State())
}

// The default hook prints the stack once, when the panic is recovered; the
// error that Wait returns (or raises) does not repeat it.
func TestDefaultPanicHookPrintsTheStackOnce(t *testing.T) {
	var out bytes.Buffer
	flags, w := log.Flags(), log.Writer()
	log.SetOutput(&out)
	defer func() { log.SetOutput(w); log.SetFlags(flags) }()

	g := group.New(context.Background(), group.PanicsAsErrors())
	g.Go(func(context.Context) error { panicHere(); return nil })
	err := wait(t, g)
	var pe *group.PanicError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, 1, strings.Count(out.String(), "goroutine stack at recovery"), out.String())
	require.Contains(t, out.String(), "panicHere")
	require.NotContains(t, err.Error(), "\n", "the error is one line")
	require.NotContains(t, err.Error(), "panicHere")
}
