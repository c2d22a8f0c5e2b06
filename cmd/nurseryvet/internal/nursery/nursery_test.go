package nursery_test

import (
	"go/token"
	"go/types"
	"testing"

	"github.com/nursery-go/nursery/cmd/nurseryvet/internal/nursery"
)

// IsAPI takes the library's public packages and leaves out its internal
// packages, tests, examples, commands, the errgroup drop-in, other modules
// and unexported functions.
func TestIsAPI(t *testing.T) {
	sig := types.NewSignatureType(nil, nil, nil, nil, nil, false)
	fn := func(path, name string) *types.Func {
		return types.NewFunc(token.NoPos, types.NewPackage(path, "p"), name, sig)
	}
	tests := []struct {
		give *types.Func
		want bool
	}{
		{give: fn("github.com/nursery-go/nursery/group", "Async"), want: true},
		{give: fn("github.com/nursery-go/nursery/executor/flow", "Map"), want: true},
		{give: fn("github.com/nursery-go/nursery/cancel", "Shield"), want: true},
		{give: fn("github.com/nursery-go/nursery/group", "spawn"), want: false},
		{give: fn("github.com/nursery-go/nursery/internal/testkit", "Bubble"), want: false},
		{give: fn("github.com/nursery-go/nursery/executor/internal/x", "F"), want: false},
		{give: fn("github.com/nursery-go/nursery/tests", "Run"), want: false},
		{give: fn("github.com/nursery-go/nursery/examples/crawl", "Run"), want: false},
		{give: fn("github.com/nursery-go/nursery/cmd/nurseryvet", "Run"), want: false},
		{give: fn("github.com/nursery-go/nursery/group/errgroup", "WithContext"), want: false},
		{give: fn("github.com/nursery-go/nursery/group_test", "Helper"), want: false},
		{give: fn("github.com/nursery-go/nurseryx/group", "Go"), want: false},
		{give: fn("golang.org/x/sync/errgroup", "WithContext"), want: false},
		{give: nil, want: false},
	}
	for _, tt := range tests {
		if got := nursery.IsAPI(tt.give); got != tt.want {
			t.Errorf("IsAPI(%v) = %v, want %v", tt.give, got, tt.want)
		}
	}
}
