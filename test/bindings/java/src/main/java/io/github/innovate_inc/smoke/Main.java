package io.github.innovate_inc.smoke;

import io.github.innovate_inc.platform.PlatformNetwork;
import io.github.innovate_inc.platform.PlatformNetworkProps;
import io.github.innovate_inc.platform.PlatformStage;
import io.github.innovate_inc.platform.StageProfiles;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;

/** Binding smoke test: synthesize a PlatformNetwork from Java. */
public final class Main {
  private static final List<String> AZS = List.of("us-east-1a", "us-east-1b", "us-east-1c");

  private static Stack newStack(String name) throws Exception {
    App app = new App(AppProps.builder().outdir(Files.createTempDirectory("java-smoke-").toString()).build());
    return new Stack(app, name, StackProps.builder()
        .env(Environment.builder().account("123456789012").region("us-east-1").build())
        .build());
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> resourcesOf(Map<String, Object> template, String type) {
    Map<String, Object> resources = (Map<String, Object>) template.get("Resources");
    return resources.values().stream()
        .map(r -> (Map<String, Object>) r)
        .filter(r -> type.equals(r.get("Type")))
        .collect(Collectors.toList());
  }

  @SuppressWarnings("unchecked")
  private static void synthesizesTheNetwork() throws Exception {
    Stack stack = newStack("JavaSmoke");
    new PlatformNetwork(stack, "Network", PlatformNetworkProps.builder()
        .stage(PlatformStage.PRODUCTION)
        .vpcCidr("10.44.0.0/16")
        .availabilityZones(AZS)
        .build());
    App app = (App) stack.getNode().getRoot();
    Map<String, Object> template = (Map<String, Object>) app.synth().getStackByName("JavaSmoke").getTemplate();
    List<Map<String, Object>> vpcs = resourcesOf(template, "AWS::EC2::VPC");
    Object cidr = ((Map<String, Object>) vpcs.get(0).get("Properties")).get("CidrBlock");
    if (vpcs.size() != 1 || !"10.44.0.0/16".equals(cidr)) {
      throw new AssertionError("unexpected VPC CIDR " + cidr);
    }
    int nat = resourcesOf(template, "AWS::EC2::NatGateway").size();
    int want = StageProfiles.PRODUCTION.getNetwork().getNatGateways().intValue();
    if (nat != want) {
      throw new AssertionError("expected " + want + " NAT gateways, got " + nat);
    }
  }

  private static void rejectsBadInput() throws Exception {
    try {
      new PlatformNetwork(newStack("JavaBadInput"), "Network", PlatformNetworkProps.builder()
          .natGateways(9)
          .availabilityZones(AZS)
          .build());
    } catch (RuntimeException err) {
      if (!String.valueOf(err.getMessage()).contains("invalid natGateways 9: must be an integer from 1 to 3")) {
        throw new AssertionError("unexpected error: " + err.getMessage());
      }
      return;
    }
    throw new AssertionError("natGateways=9 was accepted");
  }

  public static void main(String[] args) throws Exception {
    synthesizesTheNetwork();
    System.out.println("ok   java: synthesizesTheNetwork");
    rejectsBadInput();
    System.out.println("ok   java: rejectsBadInput");
    System.out.println("java binding: 2 passed, 0 failed");
  }
}
