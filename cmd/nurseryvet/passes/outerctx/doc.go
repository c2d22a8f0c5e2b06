// Package outerctx defines an Analyzer that reports task functions that
// ignore their own context and use a captured outer one instead.
//
// A function literal given to the library (group.Group.Go, group.Async,
// the executor's Submit, Exec and Map, package flow's stages, resource and
// call helpers…) receives the task's context, which its group cancels when
// it closes or fails. A literal whose context parameter is blank, unnamed or
// unused while it passes a context captured from the enclosing function to
// a call cannot be cancelled by its group: Close waits for it until the
// outer context ends. The suggested fix names the parameter after the
// captured variable, so that the body uses the task's context.
package outerctx
