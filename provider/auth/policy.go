package auth

// An Operation is what a request does, as the role matrix names it.
type Operation int

// The operations of the role matrix.
const (
	// Read is any GET: a resource, a query, a page, a report, a dialog.
	Read Operation = iota
	// Write creates, replaces or deletes a resource of a kind other than
	// jobs: a record, a monitored resource, an ad-hoc collection.
	Write
	// JobWrite creates, updates, suspends, resumes, cancels or deletes a
	// measurement job (MEF: create, update, cancel PM job).
	JobWrite
	// Push sends samples to one job (an agent's only right).
	Push
	// Manage is the administration of users, tokens and consumers.
	Manage
)

var opNames = [...]string{"read", "write", "job-write", "push", "manage"}

func (o Operation) String() string { return opNames[o] }

// Allowed says whether role may do op. Push is further limited to the
// jobs an Agent is bound to (Principal.BoundTo); the caller checks that.
func Allowed(role Role, op Operation) bool {
	switch role {
	case Admin:
		return true
	case Customer, OtherPSS:
		return op == Read || op == Write || op == JobWrite || op == Push
	case Governance:
		return op == Read
	case Agent:
		return op == Push
	}
	return false
}
