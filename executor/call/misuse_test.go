package call_test

import (
	"context"
	"testing"
	"time"

	"github.com/nursery-go/nursery/executor/call"
	"github.com/stretchr/testify/require"
)

func TestCallToolsPanicOnMisuse(t *testing.T) {
	nop := func(context.Context) error { return nil }
	tests := []struct {
		name string
		give func()
	}{
		{"Throttle nil", func() { call.Throttle[int](nil, time.Second) }},
		{"Throttle zero frame", func() { call.Throttle(func(context.Context) (int, error) { return 0, nil }, 0) }},
		{"Defer nil", func() { call.Defer(time.Second, nil) }},
		{"Interval zero", func() { call.Interval(0, nop) }},
		{"Attempts 0", func() { call.Attempts(0) }},
		{"Backoff negative", func() { call.WithBackoff(call.Backoff{Base: -1}) }},
		{"Backoff max below base", func() { call.WithBackoff(call.Backoff{Base: 2, Max: 1}) }},
		{"Backoff multiplier below 1", func() { call.WithBackoff(call.Backoff{Multiplier: 0.5}) }},
		{"Option of another function", func() { call.Interval(time.Second, nop, call.Attempts(2)) }},
		{"nil Option", func() { call.Throttle(func(context.Context) (int, error) { return 0, nil }, time.Second, nil) }},
		{"Retry nil", func() { _, _ = call.Retry[int](context.Background(), nil) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { require.Panics(t, tt.give) })
	}
}
