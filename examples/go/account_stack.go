package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/innovate-inc/platform-constructs-go/platformconstructs"
)

// AccountStackProps are the properties of the account-wide stack of Phase 1.
type AccountStackProps struct {
	awscdk.StackProps
	// MonthlyBudgetUsd is the monthly budget of the whole account, in USD.
	MonthlyBudgetUsd float64
	// EnvironmentBudgetsUsd is the monthly budget of each environment (by its
	// `environment` tag), in USD.
	EnvironmentBudgetsUsd map[string]float64
	// FinanceEmails and CtoEmail receive the budget alerts.
	FinanceEmails []string
	CtoEmail      string
	// SecurityAlertEmails receive the real-time security alerts.
	SecurityAlertEmails []string
	// GithubOwner and GithubRepository name the repository whose Actions
	// workflows deploy.
	GithubOwner      string
	GithubRepository string
	// ProductionCdkQualifier is the CDK bootstrap qualifier of the production
	// stacks (senior engineers and the production CI role only).
	ProductionCdkQualifier string
}

// AccountStack is what Phase 1 sets up once for the single account: engineers
// and finance separated by IAM with production reserved to senior engineers,
// the audit baseline, budgets, the container registry both clusters pull
// from, and the GitHub Actions deploy roles that push to it.
type AccountStack struct {
	awscdk.Stack
	Registry platformconstructs.ContainerRegistry
	// Access separates engineers, senior engineers and finance by IAM.
	Access platformconstructs.AccountAccess
	// DeployRoles holds the GitHub Actions deploy role of each environment.
	DeployRoles platformconstructs.GithubDeployRoles
}

// NewAccountStack creates the account-wide stack.
func NewAccountStack(scope constructs.Construct, id string, props *AccountStackProps) *AccountStack {
	stack := awscdk.NewStack(scope, jsii.String(id), &props.StackProps)
	platformconstructs.CostAllocationTags_Apply(stack, &platformconstructs.CostAllocationTagValues{
		Environment: jsii.String("shared"),
		Team:        jsii.String("platform"),
		CostCenter:  jsii.String("engineering"),
	})

	access := platformconstructs.NewAccountAccess(stack, jsii.String("Access"), &platformconstructs.AccountAccessProps{
		Principals:                   platformconstructs.AccessPrincipals_Roles(nil),
		ProductionBootstrapQualifier: jsii.String(props.ProductionCdkQualifier),
		// S3 ignores the environment tag in IAM conditions, so the production
		// buckets are named (generated names start with the lowercased stack
		// name; the SPA bucket, Velero's replica and this stack's audit archive).
		ProductionBucketNames: jsii.Strings("innovateproduction*", "innovateprouction-web-*", "innovate-velero-replica-*", "innovateaccount-baseline*", "innovateaccount-budgetsreports*"),
	})
	platformconstructs.NewAccountBaseline(stack, jsii.String("Baseline"), &platformconstructs.AccountBaselineProps{
		Stage:          platformconstructs.PlatformStage_PRODUCTION,
		SecurityAlerts: &platformconstructs.SecurityAlertsOptions{Emails: jsii.Strings(props.SecurityAlertEmails...)},
	})
	var environmentBudgets []*platformconstructs.EnvironmentBudget
	for _, environment := range sortedKeys(props.EnvironmentBudgetsUsd) {
		environmentBudgets = append(environmentBudgets, &platformconstructs.EnvironmentBudget{
			Environment:      jsii.String(environment),
			MonthlyBudgetUsd: jsii.Number(props.EnvironmentBudgetsUsd[environment]),
		})
	}
	platformconstructs.NewCostGovernance(stack, jsii.String("Budgets"), &platformconstructs.CostGovernanceProps{
		Stage:              platformconstructs.PlatformStage_PRODUCTION,
		MonthlyBudgetUsd:   jsii.Number(props.MonthlyBudgetUsd),
		EnvironmentBudgets: &environmentBudgets,
		FinanceEmails:      jsii.Strings(props.FinanceEmails...),
		CtoEmail:           jsii.String(props.CtoEmail),
		// CUR 2.0 export and an anomaly monitor per environment (the budgets'
		// environments); the export needs a region that offers it.
		CostReports: &platformconstructs.CostReportsOptions{DataExport: jsii.Bool(dataExportRegion(*stack.Region()))},
	})

	// One registry for both environments: an image is built once, tested in
	// development and promoted to production by its tag.
	registry := platformconstructs.NewContainerRegistry(stack, jsii.String("Registry"), &platformconstructs.ContainerRegistryProps{
		Stage:            platformconstructs.PlatformStage_PRODUCTION,
		RepositoryPrefix: jsii.String("innovate/"),
	})
	// The home region, the recovery region and us-east-1 (the edge stack's
	// region when home is elsewhere), each once.
	deployRegions := []*string{}
	seen := map[string]bool{}
	for _, region := range []string{*stack.Region(), *platformconstructs.StageProfiles_PRODUCTION().Backup.ReplicaRegion, "us-east-1"} {
		if !seen[region] {
			seen[region] = true
			deployRegions = append(deployRegions, jsii.String(region))
		}
	}
	deployRoles := platformconstructs.NewGithubDeployRoles(stack, jsii.String("GithubDeploy"), &platformconstructs.GithubDeployRolesProps{
		Owner:                  jsii.String(props.GithubOwner),
		Repository:             jsii.String(props.GithubRepository),
		ImageRepositories:      registry.RepositoryList(),
		ProductionCdkQualifier: jsii.String(props.ProductionCdkQualifier),
		DeployRegions:          &deployRegions,
	})
	return &AccountStack{Stack: stack, Registry: registry, Access: access, DeployRoles: deployRoles}
}

// dataExportRegion reports whether CloudFormation offers the CUR 2.0 data export in region.
func dataExportRegion(region string) bool {
	for _, r := range *platformconstructs.CostReports_DATA_EXPORT_REGIONS() {
		if *r == region {
			return true
		}
	}
	return false
}
