// Package streamctl lets package flow reach an option of package
// executor's streams that is not part of its API. Package executor sets it
// when it is initialised; it is never nil afterwards.
package streamctl

// InTime is an executor.Option of executor.Map: a failed item fails a
// fail-fast executor as soon as it happens, instead of waiting until the
// items before it have been yielded. Package flow uses it for the
// functions whose answer does not depend on order (Each, Every, Some,
// Gather), which stop at the first failure in time.
var InTime any
