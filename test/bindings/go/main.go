// Binding smoke test: synthesize a PlatformNetwork from Go, using the code
// jsii-pacmak generated into dist/go; estimate its cost and guard it with
// CostGuard as a validation plugin.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"
	"github.com/innovate-inc/platform-constructs-go/platformconstructs"
)

var azs = jsii.Strings("us-east-1a", "us-east-1b", "us-east-1c")

func newStack(name string) awscdk.Stack {
	dir, err := os.MkdirTemp("", "go-smoke-")
	if err != nil {
		panic(err)
	}
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(dir)})
	return awscdk.NewStack(app, jsii.String(name), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("123456789012"), Region: jsii.String("us-east-1")},
	})
}

func resourcesOf(template map[string]interface{}, kind string) []map[string]interface{} {
	var found []map[string]interface{}
	for _, r := range template["Resources"].(map[string]interface{}) {
		resource := r.(map[string]interface{})
		if resource["Type"] == kind {
			found = append(found, resource)
		}
	}
	return found
}

func synthesizesTheNetwork() error {
	stack := newStack("GoSmoke")
	platformconstructs.NewPlatformNetwork(stack, jsii.String("Network"), &platformconstructs.PlatformNetworkProps{
		Stage:             platformconstructs.PlatformStage_PRODUCTION,
		VpcCidr:           jsii.String("10.43.0.0/16"),
		AvailabilityZones: azs,
	})
	app := stack.Node().Root().(awscdk.App)
	template := app.Synth(nil).GetStackByName(jsii.String("GoSmoke")).Template().(map[string]interface{})
	vpcs := resourcesOf(template, "AWS::EC2::VPC")
	if len(vpcs) != 1 {
		return fmt.Errorf("expected 1 VPC, got %d", len(vpcs))
	}
	cidr := vpcs[0]["Properties"].(map[string]interface{})["CidrBlock"]
	if cidr != "10.43.0.0/16" {
		return fmt.Errorf("VPC CIDR is %v", cidr)
	}
	want := int(*platformconstructs.StageProfiles_PRODUCTION().Network.NatGateways)
	if got := len(resourcesOf(template, "AWS::EC2::NatGateway")); got != want {
		return fmt.Errorf("expected %d NAT gateways, got %d", want, got)
	}
	return nil
}

func synthesizesTheDatabase() error {
	stack := newStack("GoDatabase")
	network := platformconstructs.NewPlatformNetwork(stack, jsii.String("Network"), &platformconstructs.PlatformNetworkProps{
		Stage:             platformconstructs.PlatformStage_DEVELOPMENT,
		AvailabilityZones: azs,
	})
	db := platformconstructs.NewSecureRds(stack, jsii.String("Database"), &platformconstructs.SecureRdsProps{
		Vpc:                  network.Vpc(),
		Stage:                platformconstructs.PlatformStage_DEVELOPMENT,
		SecurityGroup:        network.DatabaseSecurityGroup(),
		ClientSecurityGroups: &[]awsec2.ISecurityGroup{network.ApplicationSecurityGroup()},
	})
	app := stack.Node().Root().(awscdk.App)
	template := app.Synth(nil).GetStackByName(jsii.String("GoDatabase")).Template().(map[string]interface{})
	instances := resourcesOf(template, "AWS::RDS::DBInstance")
	if len(instances) != 1 {
		return fmt.Errorf("expected 1 DB instance, got %d", len(instances))
	}
	props := instances[0]["Properties"].(map[string]interface{})
	if props["DBInstanceClass"] != "db.t4g.small" || props["MultiAZ"] != false || props["StorageEncrypted"] != true {
		return fmt.Errorf("unexpected instance %v / MultiAZ %v / encrypted %v", props["DBInstanceClass"], props["MultiAZ"], props["StorageEncrypted"])
	}
	if *db.MaxConnections() != 198 {
		return fmt.Errorf("max connections %v", *db.MaxConnections())
	}
	return nil
}

// Go has no kubectl layer package: a layer published once per account is
// imported by ARN (decision record 0013).
func kubectlLayer(stack awscdk.Stack) awslambda.ILayerVersion {
	return awslambda.LayerVersion_FromLayerVersionArn(stack, jsii.String("Kubectl"),
		jsii.String("arn:aws:lambda:us-east-1:123456789012:layer:kubectl-v35:1"))
}

func synthesizesTheCluster() error {
	stack := newStack("GoCluster")
	network := platformconstructs.NewPlatformNetwork(stack, jsii.String("Network"), &platformconstructs.PlatformNetworkProps{
		Stage:             platformconstructs.PlatformStage_DEVELOPMENT,
		AvailabilityZones: azs,
	})
	cluster := platformconstructs.NewObservableEksCluster(stack, jsii.String("Cluster"), &platformconstructs.ObservableEksClusterProps{
		Stage:              platformconstructs.PlatformStage_DEVELOPMENT,
		Vpc:                network.Vpc(),
		KubectlLayer:       kubectlLayer(stack),
		NodeSecurityGroups: &[]awsec2.ISecurityGroup{network.ApplicationSecurityGroup()},
		Backup:             &platformconstructs.VeleroBackupOptions{BackupNamespaces: jsii.Strings("backend")},
	})
	cluster.AddApplicationNamespace(jsii.String("backend"), &platformconstructs.ApplicationNamespaceOptions{})
	app := stack.Node().Root().(awscdk.App)
	template := app.Synth(nil).GetStackByName(jsii.String("GoCluster")).Template().(map[string]interface{})
	clusters := resourcesOf(template, "AWS::EKS::Cluster")
	if len(clusters) != 1 || clusters[0]["Properties"].(map[string]interface{})["Name"] != "innovate-eks-dev" {
		return fmt.Errorf("expected the cluster innovate-eks-dev, got %v", clusters)
	}
	manifests, err := json.Marshal(resourcesOf(template, "Custom::AWSCDK-EKS-KubernetesResource"))
	if err != nil {
		return err
	}
	for _, kind := range []string{"NodePool", "EC2NodeClass", "NetworkPolicy", "Schedule"} {
		if !strings.Contains(string(manifests), kind) {
			return fmt.Errorf("no %s among the cluster's manifests", kind)
		}
	}
	if *cluster.KubernetesVersion() != "1.35" {
		return fmt.Errorf("Kubernetes %s", *cluster.KubernetesVersion())
	}
	return nil
}

// networkApp is a production network with natGateways, tagged with its stage.
func networkApp(natGateways float64) awscdk.App {
	stack := newStack("GoCost")
	platformconstructs.NewPlatformNetwork(stack, jsii.String("Network"), &platformconstructs.PlatformNetworkProps{
		Stage:             platformconstructs.PlatformStage_PRODUCTION,
		NatGateways:       jsii.Number(natGateways),
		AvailabilityZones: azs,
	})
	platformconstructs.CostAllocationTags_Apply(stack, &platformconstructs.CostAllocationTagValues{
		Environment: jsii.String("production"), Team: jsii.String("platform"), CostCenter: jsii.String("CC-1"),
	})
	return stack.Node().Root().(awscdk.App)
}

// estimatesAndGuardsTheCost runs the cost estimate, its diff and the guard
// (a validation plugin) from Go.
func estimatesAndGuardsTheCost() error {
	before := platformconstructs.CostEstimate_FromAssembly(networkApp(1).Synth(nil), nil)
	app := networkApp(2)
	awscdk.Validations_Of(app).AddPlugins(platformconstructs.NewCostGuard(&platformconstructs.CostGuardProps{
		MaxMonthlyUsdPerStage: &map[string]*float64{"production": jsii.Number(100000)},
	}))
	assembly := app.Synth(nil)
	after := platformconstructs.CostEstimate_FromAssembly(assembly, &platformconstructs.CostEstimateOptions{
		Usage: &platformconstructs.UsageAssumptions{NatDataGbPerMonth: jsii.Number(0)},
	})
	natHours := 0
	for _, stack := range *after.Stacks() {
		for _, line := range *stack.Lines {
			if *line.PriceKey == "nat.hour" {
				natHours++
				if *line.MonthlyUsd != 32.85 {
					return fmt.Errorf("NAT gateway line %v, want 32.85", *line.MonthlyUsd)
				}
			}
		}
	}
	if natHours != 2 {
		return fmt.Errorf("expected 2 NAT gateway lines, got %d", natHours)
	}
	if len(*after.NotPriced()) != 0 {
		return fmt.Errorf("not priced: %v", *after.NotPriced())
	}
	diff := platformconstructs.CostEstimate_Diff(before, platformconstructs.CostEstimate_FromAssembly(assembly, nil))
	added := 0.0
	for _, line := range *diff.Lines() {
		if *line.Change == "added" && *line.PriceKey == "nat.hour" {
			added += *line.ChangeUsd
		}
	}
	if added != 32.85 {
		return fmt.Errorf("diff: added NAT gateway %v, want 32.85\n%s", added, *diff.ToMarkdown())
	}
	if _, err := os.Stat(filepath.Join(*assembly.Directory(), "cost-estimate.json")); err != nil {
		return fmt.Errorf("the guard wrote no cost-estimate.json: %v", err)
	}
	return nil
}

func rejectsBadInput() (err error) {
	defer func() {
		r := recover()
		if r == nil {
			err = fmt.Errorf("natGateways=9 was accepted")
			return
		}
		if !strings.Contains(fmt.Sprint(r), "invalid natGateways 9: must be an integer from 1 to 3") {
			err = fmt.Errorf("unexpected error: %v", r)
		}
	}()
	platformconstructs.NewPlatformNetwork(newStack("GoBadInput"), jsii.String("Network"), &platformconstructs.PlatformNetworkProps{
		NatGateways:       jsii.Number(9),
		AvailabilityZones: azs,
	})
	return nil
}

// synthesizesTheEdge builds the SPA behind CloudFront with both web ACLs and
// the API's internal load balancer.
func synthesizesTheEdge() error {
	stack := newStack("GoEdge")
	network := platformconstructs.NewPlatformNetwork(stack, jsii.String("Network"), &platformconstructs.PlatformNetworkProps{
		Stage:             platformconstructs.PlatformStage_PRODUCTION,
		AvailabilityZones: azs,
	})
	api := platformconstructs.NewApiLoadBalancer(stack, jsii.String("Api"), &platformconstructs.ApiLoadBalancerProps{
		Stage:         platformconstructs.PlatformStage_PRODUCTION,
		Vpc:           network.Vpc(),
		SecurityGroup: network.LoadBalancerSecurityGroup(),
		Certificate:   awscertificatemanager.Certificate_FromCertificateArn(stack, jsii.String("OriginCert"), jsii.String("arn:aws:acm:us-east-1:123456789012:certificate/abc")),
		DomainName:    jsii.String("api-origin.innovate.example"),
	})
	platformconstructs.NewWebFrontend(stack, jsii.String("Web"), &platformconstructs.WebFrontendProps{
		Stage:       platformconstructs.PlatformStage_PRODUCTION,
		DomainNames: jsii.Strings("app.innovate.example"),
		Certificate: awscertificatemanager.Certificate_FromCertificateArn(stack, jsii.String("AppCert"), jsii.String("arn:aws:acm:us-east-1:123456789012:certificate/def")),
		Api:         &platformconstructs.WebFrontendApiOptions{LoadBalancer: api.LoadBalancer(), DomainName: api.DomainName()},
	})
	app := stack.Node().Root().(awscdk.App)
	template := app.Synth(nil).GetStackByName(jsii.String("GoEdge")).Template().(map[string]interface{})
	if got := len(resourcesOf(template, "AWS::WAFv2::WebACL")); got != 2 {
		return fmt.Errorf("expected 2 web ACLs (CLOUDFRONT and REGIONAL), got %d", got)
	}
	if got := len(resourcesOf(template, "AWS::CloudFront::VpcOrigin")); got != 1 {
		return fmt.Errorf("expected 1 VPC origin, got %d", got)
	}
	if got := len(resourcesOf(template, "AWS::WAFv2::WebACLAssociation")); got != 1 {
		return fmt.Errorf("expected the regional web ACL associated once, got %d", got)
	}
	return nil
}

func main() {
	defer jsii.Close()
	checks := []struct {
		name string
		run  func() error
	}{{"synthesizesTheNetwork", synthesizesTheNetwork}, {"synthesizesTheDatabase", synthesizesTheDatabase}, {"synthesizesTheCluster", synthesizesTheCluster}, {"synthesizesTheEdge", synthesizesTheEdge}, {"estimatesAndGuardsTheCost", estimatesAndGuardsTheCost}, {"rejectsBadInput", rejectsBadInput}}
	failed := 0
	for _, c := range checks {
		if err := c.run(); err != nil {
			failed++
			fmt.Printf("FAIL go: %s: %v\n", c.name, err)
		} else {
			fmt.Printf("ok   go: %s\n", c.name)
		}
	}
	fmt.Printf("go binding: %d passed, %d failed\n", len(checks)-failed, failed)
	if failed > 0 {
		os.Exit(1)
	}
}
