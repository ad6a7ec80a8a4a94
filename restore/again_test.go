package restore

import "testing"

// The once-per-rebuild rule: a restore done on record runs again only
// when asked for by name or when its target needs the data.
func TestAgain(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		done    bool
		target  Presence
		asked   bool
		wantRun bool
	}{
		{"first time", false, TargetPresent, false, true},
		{"first time, asked", false, TargetMissing, true, true},
		{"done, target holds data", true, TargetPresent, false, false},
		{"done, asked by name", true, TargetPresent, true, true},
		{"done, table gone", true, TargetMissing, false, true},
		{"done, bucket empty", true, TargetEmpty, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			run, why := Again(tc.done, tc.target, tc.asked)
			if run != tc.wantRun {
				t.Errorf("Again(%v, %v, %v) = %v (%s), want %v", tc.done, tc.target, tc.asked, run, why, tc.wantRun)
			}
			if tc.done && why == "" {
				t.Error("a done restore's decision says nothing")
			}
		})
	}
}
