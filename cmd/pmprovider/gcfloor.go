package main

import "runtime"

// defaultGCFloor is --gc-floor's default, in MiB.
const defaultGCFloor = 128

// gcBallast is the ballast of setGCFloor: never read or written, so the
// operating system gives it no memory, but counted in the heap.
var gcBallast []byte

// setGCFloor makes the garbage collector run only once the heap has
// grown by at least about mib MiB since the last collection, by holding
// a ballast of that size (Go has no setting for a floor; GOGC scales
// with the live heap, which a fresh or quiet server keeps small).
//
// The job engine's writes come in bursts at period boundaries: 1,000
// jobs of 10 resources allocate some 250 MB within a second, over a live
// heap of about 50 MB between bursts, so with no floor the collector ran
// 8 to 10 times in each burst, competing with the collection and the
// writes for the cores. A floor makes that a few collections, at the
// cost of up to mib MiB more resident memory at a burst's peak, and none
// while the heap stays small. bench-jobs, interleaved runs on one
// machine: with 128 MiB the lag's p99 was 0.57-0.64 s against 0.71-0.97 s
// without, at a peak RSS of 503-515 MiB against 357-358 MiB; 256 MiB
// gained little more (0.57-0.65 s) at 613-621 MiB. mib ≤ 0 drops the
// ballast.
func setGCFloor(mib int) {
	gcBallast = nil
	if mib > 0 {
		gcBallast = make([]byte, mib<<20)
	}
	runtime.GC()
}
