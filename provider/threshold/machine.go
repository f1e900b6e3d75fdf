package threshold

// Direction is which crossing of a threshold raises an alarm.
type Direction int

// Directions (OSS/J rising and falling; 3GPP UP, DOWN, UP_AND_DOWN).
const (
	Rising Direction = iota
	Falling
	Both
)

// State is where a threshold stands for one resource.
type State int

// States. A threshold starts Armed. Fallen is reached only by Both: the
// value fell to the low level, as RMON's falling event leaves an alarm.
const (
	Armed State = iota
	Crossed
	Fallen
)

// Transition is what one value did to a threshold.
type Transition int

// Transitions. Raise is OSS/J's threshold crossed (RMON's rising event,
// OpenNMS's trigger); Clear is threshold cleared (RMON's falling event,
// OpenNMS's re-arm).
const (
	None Transition = iota
	Raise
	Clear
)

// Spec is the arithmetic of a threshold: its direction, value and offset
// (the hysteresis).
type Spec struct {
	Dir    Direction
	Value  float64
	Offset float64
}

// Levels returns the level whose reaching raises and the one whose
// reaching clears. Rising: value, value − offset. Falling: value,
// value + offset (seed 004). Both: value + offset and value − offset
// (3GPP TS 28.550's hysteresis on either side).
func (s Spec) Levels() (raise, clear float64) {
	switch s.Dir {
	case Falling:
		return s.Value, s.Value + s.Offset
	case Both:
		return s.Value + s.Offset, s.Value - s.Offset
	default:
		return s.Value, s.Value - s.Offset
	}
}

// Step returns the state after value v arrives in state st, and the
// transition it made. Reaching a level counts (equality crosses). Once
// raised, no value raises again until one has reached the clearing level,
// and once cleared none clears again until one has reached the raising
// level: one alarm per excursion, however long it lasts.
//
// Both follows RMON (RFC 2819 alarmStartupAlarm risingOrFallingAlarm): a
// first value at or below the low level is a falling event too, which
// leaves the state Fallen, so that only a later rise raises.
func (s Spec) Step(st State, v float64) (State, Transition) {
	hi, lo := s.Levels()
	switch s.Dir {
	case Falling:
		if st != Crossed && v <= hi {
			return Crossed, Raise
		}
		if st == Crossed && v >= lo {
			return Armed, Clear
		}
	case Both:
		if st != Crossed && v >= hi {
			return Crossed, Raise
		}
		if st != Fallen && v <= lo {
			return Fallen, Clear
		}
	default:
		if st != Crossed && v >= hi {
			return Crossed, Raise
		}
		if st == Crossed && v <= lo {
			return Armed, Clear
		}
	}
	return st, None
}
