package vocab

import (
	"sort"
	"sync"
)

var closure struct {
	once    sync.Once
	sup     map[string][]string
	metrics []string
	err     error
}

// SubClassClosure returns, for each class of the pm and ems vocabularies,
// every class it is a subclass of, directly or indirectly (the transitive
// closure of rdfs:subClassOf, without the class itself). The map is shared:
// do not modify it.
func SubClassClosure() (map[string][]string, error) {
	closure.once.Do(func() {
		direct := make(map[string][]string)
		for _, name := range []string{"perfmon", "ems"} {
			g, err := Lookup(name).Graph()
			if err != nil {
				closure.err = err
				return
			}
			for _, t := range g {
				if t.Pred.String() == RDFSSubClass.String() {
					s := t.Subj.String()
					direct[s] = append(direct[s], t.Obj.String())
				}
			}
		}
		sup := make(map[string][]string, len(direct))
		for c := range direct {
			seen := map[string]bool{c: true}
			stack := append([]string(nil), direct[c]...)
			var all []string
			for len(stack) > 0 {
				x := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if seen[x] {
					continue
				}
				seen[x] = true
				all = append(all, x)
				stack = append(stack, direct[x]...)
			}
			sort.Strings(all)
			sup[c] = all
		}
		// A metric is a class below pm:Metric that nothing is a subclass of.
		hasSub := make(map[string]bool)
		for _, ps := range direct {
			for _, p := range ps {
				hasSub[p] = true
			}
		}
		for c, ps := range sup {
			if hasSub[c] {
				continue
			}
			for _, p := range ps {
				if p == PM+"Metric" {
					closure.metrics = append(closure.metrics, c)
					break
				}
			}
		}
		sort.Strings(closure.metrics)
		closure.sup = sup
	})
	return closure.sup, closure.err
}

// Metrics returns the IRIs of the pm metrics (leaf classes below pm:Metric),
// sorted.
func Metrics() []string {
	if _, err := SubClassClosure(); err != nil {
		return nil
	}
	return closure.metrics
}
