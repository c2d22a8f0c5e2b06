module github.com/nursery-go/nursery/tests/bench

go 1.26

require (
	github.com/alitto/pond/v2 v2.7.1
	github.com/nursery-go/nursery v0.0.0
	github.com/panjf2000/ants/v2 v2.12.1
	github.com/sourcegraph/conc v0.3.0
	go.uber.org/goleak v1.3.0
	golang.org/x/sync v0.22.0
)

require go.uber.org/multierr v1.11.0 // indirect

replace github.com/nursery-go/nursery => ../..
