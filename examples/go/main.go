// The design's Phase 1 in Go: one AWS account, two separate environments.
//
// The same app as examples/phase1-single-account (TypeScript), built on the
// Go module jsii-pacmak generates. It reads the context of the TypeScript
// app's cdk.json, so both apps synthesize the same configuration.
//
//	go run .     # writes cdk.out/ (or $CDK_OUTDIR)
//	cdk synth    # the same through the CDK CLI (cdk.json here)
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/jsii-runtime-go"
	"github.com/innovate-inc/platform-constructs-go/platformconstructs"
)

// typescriptCdkJSON is the TypeScript app's cdk.json: its context is this
// app's configuration (relative to this directory, where `go run .` runs).
const typescriptCdkJSON = "../phase1-single-account/cdk.json"

// exampleApp is an app with the Phase 1 context, as the CDK CLI would load it.
func exampleApp() awscdk.App {
	body, err := os.ReadFile(filepath.FromSlash(typescriptCdkJSON))
	if err != nil {
		panic(fmt.Errorf("examples/go: run from examples/go: %w", err))
	}
	var cdkJSON struct {
		Context map[string]interface{} `json:"context"`
	}
	if err := json.Unmarshal(body, &cdkJSON); err != nil {
		panic(fmt.Errorf("examples/go: %s: %w", typescriptCdkJSON, err))
	}
	return awscdk.NewApp(&awscdk.AppProps{Context: &cdkJSON.Context})
}

// requiredContext is a context value the example needs (cdk.json, or -c key=value).
func requiredContext(app awscdk.App, key string) string {
	value, ok := app.Node().TryGetContext(jsii.String(key)).(string)
	if !ok || value == "" {
		panic(fmt.Sprintf(`examples/go: set "%s" in cdk.json's context or pass -c %s=...`, key, key))
	}
	return value
}

// kubectlLayer imports the kubectl layer of the clusters' Kubernetes version
// by ARN: Go has no package of it (npm and PyPI do). Publish it once per
// account (see README.md) and pass its ARN with -c kubectlLayerArn=...; the
// default names version 1 of `kubectl-v35` in the stack's account and region.
func kubectlLayer(account awscdk.Stack) awslambda.ILayerVersion {
	arn, ok := account.Node().TryGetContext(jsii.String("kubectlLayerArn")).(string)
	if !ok || arn == "" {
		arn = fmt.Sprintf("arn:%s:lambda:%s:%s:layer:kubectl-v35:1", *account.Partition(), *account.Region(), *account.Account())
	}
	return awslambda.LayerVersion_FromLayerVersionArn(account, jsii.String("KubectlLayer"), jsii.String(arn))
}

// buildPhase1 adds the account-wide stack and the two environments (see
// app.ts for the design notes) and returns their stacks.
func buildPhase1(app awscdk.App) []awscdk.Stack {
	env := &awscdk.Environment{Region: jsii.String("us-east-1")}
	if account := os.Getenv("CDK_DEFAULT_ACCOUNT"); account != "" {
		env.Account = jsii.String(account)
	}
	if region := os.Getenv("CDK_DEFAULT_REGION"); region != "" {
		env.Region = jsii.String(region)
	}
	productionQualifier := requiredContext(app, "productionCdkQualifier")

	// Each environment's budget from the presets, the account's their sum.
	// The keys are the environments' `environment` tag values: Go's
	// PlatformStage constants carry their names ("DEVELOPMENT") instead.
	budgets := map[string]float64{
		"development": *platformconstructs.StageProfiles_DEVELOPMENT().Cost.MonthlyBudgetUsd,
		"production":  *platformconstructs.StageProfiles_PRODUCTION().Cost.MonthlyBudgetUsd,
	}
	total := 0.0
	for _, budget := range budgets {
		total += budget
	}
	account := NewAccountStack(app, "InnovateAccount", &AccountStackProps{
		StackProps: awscdk.StackProps{
			Env:                   env,
			Description:           jsii.String("Innovate Inc. Phase 1: account access, audit baseline and budgets"),
			TerminationProtection: jsii.Bool(true),
		},
		MonthlyBudgetUsd:       total,
		EnvironmentBudgetsUsd:  budgets,
		FinanceEmails:          []string{requiredContext(app, "financeEmail")},
		CtoEmail:               requiredContext(app, "ctoEmail"),
		SecurityAlertEmails:    []string{requiredContext(app, "alertEmail")},
		GithubOwner:            requiredContext(app, "githubOwner"),
		GithubRepository:       requiredContext(app, "githubRepository"),
		ProductionCdkQualifier: productionQualifier,
	})
	// Shared by both environments: the kubectl layer and the alert receivers'
	// keys (in Secrets Manager, created out of band).
	layer := kubectlLayer(account.Stack)
	secret := func(id, name string) awssecretsmanager.ISecret {
		return awssecretsmanager.Secret_FromSecretNameV2(account.Stack, jsii.String(id), jsii.String(name))
	}
	slackAlerts := secret("SlackAlertsWebhook", "innovate/alerting/slack-alerts-webhook")
	slackMonitoring := secret("SlackMonitoringWebhook", "innovate/alerting/slack-monitoring-webhook")
	alertEmails := jsii.Strings(requiredContext(app, "alertEmail"))
	alarms := &platformconstructs.InnovatePlatformAlarmOptions{CriticalEmails: alertEmails, WarningEmails: alertEmails}

	domainName := requiredContext(app, "domainName")
	zone := func(id, hostedZoneID, zoneName string) awsroute53.IHostedZone {
		return awsroute53.HostedZone_FromHostedZoneAttributes(account.Stack, jsii.String(id), &awsroute53.HostedZoneAttributes{
			HostedZoneId: jsii.String(hostedZoneID),
			ZoneName:     jsii.String(zoneName),
		})
	}
	// The Flask API (namespace `backend`) and the React SPA's server
	// (`frontend`), both backed up.
	cluster := func(monitoring *platformconstructs.PrometheusStackOptions) *platformconstructs.InnovatePlatformClusterOptions {
		return &platformconstructs.InnovatePlatformClusterOptions{
			KubectlLayer:         layer,
			ClusterAdminRoleArns: &[]*string{account.Access.SeniorEngineeringRole().RoleArn()},
			EngineerRoleArns:     &[]*string{account.Access.EngineeringRole().RoleArn()},
			Backup:               &platformconstructs.VeleroBackupOptions{BackupNamespaces: jsii.Strings("backend", "frontend")},
			Monitoring:           monitoring,
		}
	}

	development := platformconstructs.NewInnovatePlatform(app, jsii.String("Development"), &platformconstructs.InnovatePlatformProps{
		Env:     env,
		Stage:   platformconstructs.PlatformStage_DEVELOPMENT,
		Network: &platformconstructs.InnovatePlatformNetworkOptions{VpcCidr: jsii.String("10.1.0.0/16")},
		Cluster: cluster(&platformconstructs.PrometheusStackOptions{
			SlackAlertsWebhookSecret:     slackAlerts,
			SlackMonitoringWebhookSecret: slackMonitoring,
		}),
		Edge: &platformconstructs.InnovatePlatformEdgeOptions{
			HostedZone: zone("DevelopmentZone", requiredContext(app, "developmentHostedZoneId"), "dev."+domainName),
		},
		Alarms:      alarms,
		Registry:    account.Registry,
		DeployRole:  account.DeployRoles.RoleFor(platformconstructs.PlatformStage_DEVELOPMENT),
		AdminAccess: platformconstructs.AdminAccessMethod_SsmBastion(nil),
	})
	production := platformconstructs.NewInnovatePlatform(app, jsii.String("Production"), &platformconstructs.InnovatePlatformProps{
		Env:                env,
		Stage:              platformconstructs.PlatformStage_PRODUCTION,
		BootstrapQualifier: jsii.String(productionQualifier),
		Network:            &platformconstructs.InnovatePlatformNetworkOptions{VpcCidr: jsii.String("10.0.0.0/16")},
		Cluster: cluster(&platformconstructs.PrometheusStackOptions{
			PagerDutySecret:              secret("PagerDutyKey", "innovate/alerting/pagerduty-routing-key"),
			SlackAlertsWebhookSecret:     slackAlerts,
			SlackMonitoringWebhookSecret: slackMonitoring,
		}),
		Edge: &platformconstructs.InnovatePlatformEdgeOptions{
			HostedZone: zone("ProductionZone", requiredContext(app, "productionHostedZoneId"), domainName),
		},
		Alarms:     alarms,
		Registry:   account.Registry,
		DeployRole: account.DeployRoles.RoleFor(platformconstructs.PlatformStage_PRODUCTION),
	})

	stacks := []awscdk.Stack{account.Stack}
	for _, platform := range []platformconstructs.InnovatePlatform{development, production} {
		// The SPA's server needs nothing but its ingress.
		port := platform.Network().ApplicationPort()
		platform.Cluster().AddApplicationNamespace(jsii.String("frontend"), &platformconstructs.ApplicationNamespaceOptions{
			IngressPorts:        &[]*float64{port},
			AllowDatabaseEgress: jsii.Bool(false),
			HttpsEgressCidrs:    &[]*string{},
			MetricsPort:         port,
		})
		stacks = append(stacks, *platform.Stacks()...)
	}
	return stacks
}

func sortedKeys(m map[string]float64) []string {
	keys := make([]string, 0, len(m))
	for key := range m {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	return keys
}

func main() {
	defer jsii.Close()
	app := exampleApp()
	buildPhase1(app)
	// The four cdk-nag packs are not run here: cdk-nag 3 has no Go module on
	// the Go module proxy yet (the TypeScript and Python apps run them).
	app.Synth(nil)
}
