// Package flow runs concurrent functions over sequences — Map, Filter,
// Reduce, Every, Race, Gather and the rest — each with a context and a
// concurrency limit (0: no limit). Each call owns a private [group.Group]:
// nothing it starts outlives it, and a panic in a call is raised again in
// the caller after the other calls are cancelled and joined.
//
//	evens := flow.Filter(ctx, flow.Values(slices.Values(ids)), isEven, 8)
//	users := flow.Map(ctx, evens, fetchUser, 8)
//	all, err := flow.Collect(users)
//
// A [Seq] is an iter.Seq2[T, error]: values, and at most one error, last.
// Stages ([Map], [MapAll], [FlatMap], [Filter], [DropWhile], …) keep input
// order, hold at most twice their limit in flight, and take from their
// source only what they need. A failure counts at its place in the input:
// the values before it are yielded first, calls after it are cancelled.
// Terminals ([Collect], [Each], [Reduce], [Every], [Some], [First]) and
// combinators ([Race], [Gather], [GatherAll], [Wait], [Series], [Times], …)
// work on functions. The whole contract is in https://github.com/nursery-go/nursery/blob/main/docs/executor-flow.md.
package flow
