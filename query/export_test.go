package query

// SetProbeBudget sets the planner's probe budget for a test and returns a
// function that restores it. A budget of 0 makes every index large to the
// planner, so that it walks in key order.
func SetProbeBudget(n int) (restore func()) {
	old := probeBudget
	probeBudget = n
	return func() { probeBudget = old }
}

// SetJoinProbe sets how many index keys each condition must have for the
// planner to intersect conditions with a joiner, and returns a function
// that restores it. 0 joins every pair of conditions that can be.
func SetJoinProbe(n int) (restore func()) {
	old := joinProbe
	joinProbe = n
	return func() { joinProbe = old }
}

// MemResource is a resource of NewMemSource.
type MemResource = memResource

// NewMemSource returns an in-memory Source of rs, written from the
// contract alone (memsource_test.go); with features, an Accelerator that
// serves those of them it has (Stats, Text) and nothing else.
func NewMemSource(rs []MemResource, features Features) Source {
	m := newMemSource(rs)
	if features == (Features{}) {
		return m
	}
	return memAccel{memSource: m, feat: features}
}
