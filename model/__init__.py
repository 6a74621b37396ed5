"""Plain values that several stages share: normalised items, annotations, settings slices, chat settings and poll
results. No I/O."""
