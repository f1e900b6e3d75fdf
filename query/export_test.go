package query

// SetProbeBudget sets the planner's probe budget for a test and returns a
// function that restores it. A budget of 0 makes every index large to the
// planner, so that it walks in key order.
func SetProbeBudget(n int) (restore func()) {
	old := probeBudget
	probeBudget = n
	return func() { probeBudget = old }
}
