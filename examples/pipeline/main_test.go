package main

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestRun(t *testing.T) {
	tests := []struct {
		name      string
		items     int
		consumers int
		want      string
	}{
		{"the program", items, consumers, "produced 1000 items, consumed 1000 by 4 consumers, sum=500500\n"},
		{"no items", 0, 2, "produced 0 items, consumed 0 by 2 consumers, sum=0\n"},
		{"one consumer", 100, 1, "produced 100 items, consumed 100 by 1 consumer, sum=5050\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			require.NoError(t, run(context.Background(), &out, tt.items, tt.consumers))
			require.Equal(t, tt.want, out.String())
		})
	}
}

func TestRun_cancelled(t *testing.T) {
	errStop := errors.New("stop")
	ctx, stop := context.WithCancelCause(context.Background())
	stop(errStop)
	var out bytes.Buffer
	require.ErrorIs(t, run(ctx, &out, items, consumers), errStop)
	require.Empty(t, out.String())
}
