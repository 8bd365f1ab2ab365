package main

import (
	"fmt"

	"github.com/robfig/cron/v3"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// veleroCronPin names the parser the check below reproduces: Velero v1.18.1
// (the version VeleroBackup pins) parses spec.schedule with cron.ParseStandard
// of github.com/robfig/cron/v3 v3.0.1 (pkg/controller/schedule_controller.go,
// parseCronSchedule), the version its go.mod requires and this module pins.
const veleroCronPin = "robfig/cron/v3 v3.0.1 ParseStandard, as Velero v1.18.1"

// veleroScheduleErrors checks what the Schedule CRD cannot: that
// spec.schedule is a schedule Velero's controller accepts. The CRD types it
// as a plain string, so a schedule Velero refuses passes the schema and the
// Schedule only fails at run time (phase FailedValidation, no backups).
func veleroScheduleErrors(obj map[string]interface{}) field.ErrorList {
	spec, _ := obj["spec"].(map[string]interface{})
	value, ok := spec["schedule"].(string)
	if !ok {
		return nil // missing or not a string: the CRD schema reports it
	}
	path := field.NewPath("spec", "schedule")
	if err := parseVeleroSchedule(value); err != nil {
		return field.ErrorList{field.Invalid(path, value, fmt.Sprintf("Velero's cron parser (%s) refuses it: %v", veleroCronPin, err))}
	}
	return nil
}

// parseVeleroSchedule parses a schedule as Velero's controller does: an empty
// one is refused before parsing, and a parser panic counts as an error.
func parseVeleroSchedule(schedule string) (err error) {
	if len(schedule) == 0 {
		return fmt.Errorf("Schedule must be a non-empty valid Cron expression")
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("invalid schedule: %v", r)
		}
	}()
	_, err = cron.ParseStandard(schedule)
	return err
}
