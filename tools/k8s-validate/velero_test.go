package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// cronCasesFile is the table of schedules shared with test/backup/cron.test.ts
// (the library's synth-time parser): "velero" is robfig's verdict, checked here.
const cronCasesFile = "../../test/fixtures/velero-cron-cases.json"

type cronCase struct {
	Schedule string `json:"schedule"`
	Velero   *bool  `json:"velero"`
	Library  *bool  `json:"library"`
	Why      string `json:"why"`
}

func loadCronCases(t *testing.T) []cronCase {
	t.Helper()
	raw, err := os.ReadFile(cronCasesFile)
	if err != nil {
		t.Fatalf("reading %s: %v", cronCasesFile, err)
	}
	var table struct {
		Cases []cronCase `json:"cases"`
	}
	if err := json.Unmarshal(raw, &table); err != nil {
		t.Fatalf("parsing %s: %v", cronCasesFile, err)
	}
	if len(table.Cases) < 20 {
		t.Fatalf("%s holds %d cases, expected the shared table", cronCasesFile, len(table.Cases))
	}
	return table.Cases
}

func TestSharedCronTableMatchesRobfig(t *testing.T) {
	accepted, refused := 0, 0
	for _, c := range loadCronCases(t) {
		if c.Velero == nil {
			t.Errorf("%q: no velero verdict", c.Schedule)
			continue
		}
		err := parseVeleroSchedule(c.Schedule)
		switch {
		case *c.Velero && err != nil:
			t.Errorf("%q: the table says Velero accepts it, robfig refuses it: %v", c.Schedule, err)
		case !*c.Velero && err == nil:
			t.Errorf("%q: the table says Velero refuses it, robfig accepts it", c.Schedule)
		case *c.Velero:
			accepted++
		default:
			refused++
		}
	}
	if accepted == 0 || refused == 0 {
		t.Errorf("the table must hold schedules Velero accepts and ones it refuses (accepted %d, refused %d)", accepted, refused)
	}
}

func TestVeleroScheduleErrors(t *testing.T) {
	schedule := func(s interface{}) map[string]interface{} {
		return map[string]interface{}{"apiVersion": "velero.io/v1", "kind": "Schedule", "spec": map[string]interface{}{"schedule": s}}
	}
	for _, ok := range []string{"0 2 * * *", "@every 6h", "@daily"} {
		if errs := veleroScheduleErrors(schedule(ok)); len(errs) != 0 {
			t.Errorf("%q: unexpected errors %v", ok, errs)
		}
	}
	for bad, want := range map[string]string{
		"@DAILY":    "unrecognized descriptor: @DAILY",
		"@EVERY 6h": "unrecognized descriptor: @EVERY 6h",
		"0 0 * * 7": "end of range (7) above maximum (6)",
		"":          "Schedule must be a non-empty valid Cron expression",
	} {
		errs := veleroScheduleErrors(schedule(bad))
		if len(errs) != 1 || !strings.Contains(errs[0].Error(), "spec.schedule") || !strings.Contains(errs[0].Error(), want) {
			t.Errorf("%q: want one spec.schedule error containing %q, got %v", bad, want, errs)
		}
	}
	// Missing or mistyped: the CRD schema's job, not this check's.
	if errs := veleroScheduleErrors(map[string]interface{}{"spec": map[string]interface{}{}}); len(errs) != 0 {
		t.Errorf("missing schedule: unexpected errors %v", errs)
	}
	if errs := veleroScheduleErrors(schedule(42)); len(errs) != 0 {
		t.Errorf("numeric schedule: unexpected errors %v", errs)
	}
}
