package cancel_test

import (
	"context"
	"testing"
	"time"

	"github.com/nursery-go/nursery/cancel"
)

func nop(context.Context) error { return nil }

// BenchmarkShield measures the cost a shielded section adds to a call.
func BenchmarkShield(b *testing.B) {
	ctx := context.Background()
	b.Run("direct call", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = nop(ctx)
		}
	})
	b.Run("Shield", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = cancel.Shield(ctx, nop)
		}
	})
	b.Run("Shield with Grace", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = cancel.Shield(ctx, nop, cancel.Grace(time.Second))
		}
	})
}

// BenchmarkTimeout measures Timeout against the standard library's
// context.WithTimeoutCause around the same call.
func BenchmarkTimeout(b *testing.B) {
	ctx := context.Background()
	b.Run("context.WithTimeoutCause", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			tctx, stop := context.WithTimeoutCause(ctx, time.Second, &cancel.TimeoutError{Limit: time.Second})
			_ = nop(tctx)
			stop()
		}
	})
	b.Run("Timeout", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = cancel.Timeout(ctx, "", time.Second, nop)
		}
	})
}

// BenchmarkScope measures a scope's life: create, move the deadline, cancel.
func BenchmarkScope(b *testing.B) {
	ctx := context.Background()
	b.Run("NewScope and Cancel", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s := cancel.NewScope(ctx, time.Now().Add(time.Second))
			s.Cancel()
		}
	})
	b.Run("Extend", func(b *testing.B) {
		s := cancel.NewScope(ctx, time.Now().Add(time.Hour))
		defer s.Cancel()
		b.ReportAllocs()
		for b.Loop() {
			s.Extend(time.Nanosecond)
		}
	})
}
