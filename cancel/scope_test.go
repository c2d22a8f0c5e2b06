package cancel_test

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/nursery-go/nursery/cancel"
)

func TestScope_deadline(t *testing.T) {
	// The scope starts with a 2s deadline; at 1s, move changes it. The scope
	// must end at wantEnd.
	tests := []struct {
		name         string
		move         func(s *cancel.Scope, now time.Time)
		wantEnd      time.Duration
		wantDeadline time.Duration // from the start; 0: wantEnd
	}{
		{name: "ends at its deadline", move: func(*cancel.Scope, time.Time) {}, wantEnd: 2 * time.Second},
		{name: "Extend moves it later", move: func(s *cancel.Scope, _ time.Time) { s.Extend(3 * time.Second) }, wantEnd: 5 * time.Second},
		{name: "Extend with a negative duration moves it earlier", move: func(s *cancel.Scope, _ time.Time) { s.Extend(-500 * time.Millisecond) }, wantEnd: 1500 * time.Millisecond},
		{name: "SetDeadline moves it later", move: func(s *cancel.Scope, now time.Time) { s.SetDeadline(now.Add(time.Minute)) }, wantEnd: 61 * time.Second},
		{name: "SetDeadline moves it earlier", move: func(s *cancel.Scope, now time.Time) { s.SetDeadline(now.Add(time.Millisecond)) }, wantEnd: time.Second + time.Millisecond},
		{name: "SetDeadline in the past ends it at once", move: func(s *cancel.Scope, now time.Time) { s.SetDeadline(now.Add(-time.Hour)) }, wantEnd: time.Second, wantDeadline: time.Second - time.Hour},
		{name: "Extend into the past ends it at once", move: func(s *cancel.Scope, _ time.Time) { s.Extend(-time.Hour) }, wantEnd: time.Second, wantDeadline: 2*time.Second - time.Hour},
		{name: "moves many times, last one wins", move: func(s *cancel.Scope, now time.Time) {
			s.Extend(time.Hour)
			s.SetDeadline(now.Add(time.Millisecond))
			s.SetDeadline(time.Time{})
			s.SetDeadline(now.Add(4 * time.Second))
		}, wantEnd: 5 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				start := time.Now()
				s := cancel.NewScope(context.Background(), start.Add(2*time.Second))
				defer s.Cancel()

				time.Sleep(time.Second)
				tt.move(s, time.Now())
				<-s.Context().Done()

				require.Equal(t, tt.wantEnd, time.Since(start))
				deadline, ok := s.Deadline()
				require.True(t, ok)
				if tt.wantDeadline == 0 {
					tt.wantDeadline = tt.wantEnd
				}
				require.Equal(t, start.Add(tt.wantDeadline), deadline)
				requireExpired(t, s)
			})
		})
	}
}

func requireExpired(t *testing.T, s *cancel.Scope) {
	t.Helper()
	ctx := s.Context()
	require.True(t, s.Expired())
	require.False(t, s.Canceled())
	require.Equal(t, context.Canceled, ctx.Err(), "a cancel-cause context reports Canceled")
	require.ErrorIs(t, context.Cause(ctx), cancel.ErrExpired)
	require.ErrorIs(t, context.Cause(ctx), context.DeadlineExceeded)
}

func TestScope(t *testing.T) {
	t.Run("a deadline set after the parent ended changes nothing", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			parent, stop := context.WithCancel(context.Background())
			s := cancel.NewScope(parent, time.Time{}) // no deadline: no timer
			stop()
			<-s.Context().Done()
			s.SetDeadline(time.Now().Add(time.Second))
			_, ok := s.Deadline()
			require.False(t, ok, "an ended scope keeps its last deadline")
			require.False(t, s.Expired())
			require.False(t, s.Canceled())
		})
	})

	t.Run("has no deadline until one is set", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s := cancel.NewScope(context.Background(), time.Time{})
			defer s.Cancel()
			s.Extend(time.Second)
			_, ok := s.Deadline()
			require.False(t, ok, "Extend must not invent a deadline")

			time.Sleep(time.Hour)
			require.NoError(t, s.Context().Err())
			s.SetDeadline(time.Now().Add(time.Second))
			<-s.Context().Done()
			requireExpired(t, s)
		})
	})

	t.Run("lives on when its deadline is removed", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s := cancel.NewScope(context.Background(), time.Now().Add(time.Second))
			defer s.Cancel()
			s.SetDeadline(time.Time{})
			time.Sleep(time.Hour)
			require.NoError(t, s.Context().Err())
			require.False(t, s.Expired())
			require.False(t, s.Canceled())
		})
	})

	t.Run("ends before NewScope returns with a deadline in the past", func(t *testing.T) {
		s := cancel.NewScope(context.Background(), time.Now().Add(-time.Second))
		defer s.Cancel()
		requireExpired(t, s)
	})

	t.Run("Cancel ends it and says so", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s := cancel.NewScope(context.Background(), time.Now().Add(time.Second))
			s.Cancel()
			s.Cancel() // idempotent
			require.ErrorIs(t, context.Cause(s.Context()), context.Canceled)
			require.True(t, s.Canceled())
			require.False(t, s.Expired())

			time.Sleep(time.Hour) // the timer must not fire any more
			require.True(t, s.Canceled())
			require.False(t, s.Expired())
		})
	})

	t.Run("the parent ending ends it without Expired or Canceled", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			parent, stop := context.WithCancelCause(context.Background())
			s := cancel.NewScope(parent, time.Now().Add(time.Second))
			defer s.Cancel()
			stop(errShutdown)
			require.Equal(t, errShutdown, context.Cause(s.Context()))

			time.Sleep(time.Hour) // the timer fires into an ended scope
			require.False(t, s.Expired())
			require.False(t, s.Canceled())
			s.Cancel()
			require.False(t, s.Canceled(), "a Cancel after the end does not count")
		})
	})

	t.Run("a Cancel after expiry does not count", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s := cancel.NewScope(context.Background(), time.Now().Add(time.Second))
			<-s.Context().Done()
			s.Cancel()
			requireExpired(t, s)
		})
	})

	t.Run("ignores moves once ended", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			deadline := time.Now().Add(time.Second)
			s := cancel.NewScope(context.Background(), deadline)
			<-s.Context().Done()
			s.SetDeadline(time.Now().Add(time.Hour))
			s.Extend(time.Hour)
			got, ok := s.Deadline()
			require.True(t, ok)
			require.Equal(t, deadline, got)
			requireExpired(t, s)
		})
	})

	t.Run("nested scopes tell their own expiry from their parent's", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			outer := cancel.NewScope(context.Background(), time.Now().Add(time.Second))
			defer outer.Cancel()
			inner := cancel.NewScope(outer.Context(), time.Now().Add(time.Hour))
			defer inner.Cancel()
			<-inner.Context().Done()
			require.True(t, outer.Expired())
			require.False(t, inner.Expired(), "the outer deadline fired, not the inner one")
			require.ErrorIs(t, context.Cause(inner.Context()), cancel.ErrExpired)
		})
	})

	t.Run("is safe for concurrent use", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			start := time.Now()
			s := cancel.NewScope(context.Background(), start.Add(time.Hour))
			var wg sync.WaitGroup
			for i := range 8 {
				wg.Go(func() {
					for j := range 100 {
						switch (i + j) % 5 {
						case 0:
							s.Extend(time.Millisecond)
						case 1:
							s.Extend(-time.Millisecond)
						case 2:
							s.SetDeadline(time.Now().Add(time.Hour + time.Duration(j)*time.Millisecond))
						case 3:
							_, _ = s.Deadline()
							_ = s.Expired()
							_ = s.Canceled()
							_ = s.Context().Err()
						case 4:
							time.Sleep(time.Millisecond)
						}
					}
				})
			}
			wg.Go(func() {
				time.Sleep(50 * time.Millisecond)
				s.Cancel()
			})
			wg.Wait()
			<-s.Context().Done()
			// Every deadline set was at least an hour ahead of the Cancel.
			require.True(t, s.Canceled())
			require.False(t, s.Expired())
		})
	})
}
