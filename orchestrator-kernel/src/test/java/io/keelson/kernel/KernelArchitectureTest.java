package io.keelson.kernel;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The kernel's public surface: the API packages, plus one entry class per controller package; everything else is
 * package-private. The packages depend on each other without cycles, and never on a scheduler plugin.
 */
class KernelArchitectureTest {
    private static final JavaClasses KERNEL = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.keelson.kernel");

    /** Packages whose public types are the kernel's API (entry point, toolkit, SPI). */
    private static final String[] API_PACKAGES = {
        "io.keelson.kernel", "io.keelson.kernel.informer", "io.keelson.kernel.workqueue",
        "io.keelson.kernel.controller", "io.keelson.kernel.events", "io.keelson.kernel.leaderelection",
        "io.keelson.kernel.manager", "io.keelson.kernel.scheduler.framework"};

    /**
     * Every public type of the kernel, by name: adding one is a decision about the API, taken here. The controller
     * packages ({@code namespace}, {@code gc}) expose only their entry class.
     */
    private static final java.util.Set<String> PUBLIC_TYPES = java.util.Set.of(
            "io.keelson.kernel.AdmissionPlugin", "io.keelson.kernel.AdmissionRequest", "io.keelson.kernel.ApiException",
            "io.keelson.kernel.DeleteResult", "io.keelson.kernel.FieldSelector", "io.keelson.kernel.Kernel",
            "io.keelson.kernel.LabelSelector", "io.keelson.kernel.ListRequest", "io.keelson.kernel.ObjectList",
            "io.keelson.kernel.PatchType", "io.keelson.kernel.ResourceType", "io.keelson.kernel.Timestamps",
            "io.keelson.kernel.ResourceWatch",
            "io.keelson.kernel.Resources", "io.keelson.kernel.WatchEvent", "io.keelson.kernel.WatchRequest",
            "io.keelson.kernel.controller.Controller", "io.keelson.kernel.controller.ManagedController",
            "io.keelson.kernel.controller.Reconciler", "io.keelson.kernel.controller.Result",
            "io.keelson.kernel.events.EventRecorder", "io.keelson.kernel.gc.GarbageCollector",
            "io.keelson.kernel.informer.Cache", "io.keelson.kernel.informer.EventHandler",
            "io.keelson.kernel.informer.InformerFactory", "io.keelson.kernel.informer.KeyFunctions",
            "io.keelson.kernel.informer.SharedInformer", "io.keelson.kernel.leaderelection.LeaderElector",
            "io.keelson.kernel.manager.ControllerManager", "io.keelson.kernel.namespace.NamespaceController",
            "io.keelson.kernel.workqueue.RateLimiter", "io.keelson.kernel.workqueue.WorkQueue",
            "io.keelson.kernel.scheduler.Scheduler", "io.keelson.kernel.node.SimulatedNodes",
            "io.keelson.kernel.nodelifecycle.NodeLifecycleController",
            "io.keelson.kernel.replicaset.ReplicaSetController", "io.keelson.kernel.deployment.DeploymentController",
            "io.keelson.kernel.endpoints.EndpointSliceController", "io.keelson.kernel.endpoints.EndpointsController",
            "io.keelson.kernel.endpoints.ServiceResolver",
            "io.keelson.kernel.podgc.PodGCController");

    /** The scheduler framework's SPI: what plugins implement and use. */
    private static final java.util.Set<String> SCHEDULER_SPI = java.util.Set.of("BindPlugin", "ClusterEvent",
            "CycleState", "EnqueueExtensions", "FilterPlugin", "Handle", "HostPorts", "NodeInfo", "NodeLister",
            "NodeScore", "NodeSelectors", "PermitPlugin", "Plugin", "PluginArgs", "PluginFactory", "PluginRegistry",
            "PodInfo",
            "PostBindPlugin", "PostFilterPlugin", "PostFilterResult", "PreBindPlugin", "PreEnqueuePlugin",
            "PreFilterPlugin", "PreFilterResult", "PreScorePlugin", "QueueSortPlugin", "QueuedPodInfo",
            "RequiredNodeAffinity", "ReservePlugin", "Resource", "SchedulerConfiguration", "ScorePlugin", "Status",
            "Taints", "WaitingPod");

    @Test
    void publicTypes_areExactlyTheDeclaredApi() {
        classes().that().arePublic().and().areTopLevelClasses()
                .should(new com.tngtech.archunit.lang.ArchCondition<com.tngtech.archunit.core.domain.JavaClass>(
                        "be declared API") {
                    @Override
                    public void check(com.tngtech.archunit.core.domain.JavaClass c,
                                      com.tngtech.archunit.lang.ConditionEvents events) {
                        if (!PUBLIC_TYPES.contains(c.getName()) && !(c.getPackageName().equals(
                                "io.keelson.kernel.scheduler.framework") && SCHEDULER_SPI.contains(c.getSimpleName()))) {
                            events.add(com.tngtech.archunit.lang.SimpleConditionEvent.violated(c, c.getName()
                                    + " is public but not declared API: make it package-private, or declare it"));
                        }
                    }
                })
                .because("implementation stays package-private")
                .check(KERNEL);
    }

    @Test
    void controllerPackages_exposeOnlyTheirEntryClass() {
        classes().that().arePublic().and().areTopLevelClasses().and().resideOutsideOfPackages(API_PACKAGES)
                .should().haveSimpleNameEndingWith("Controller").orShould().haveSimpleName("GarbageCollector")
                .orShould().haveSimpleName("Scheduler").orShould().haveSimpleName("SimulatedNodes")
                .orShould().haveSimpleName("ServiceResolver")
                .check(KERNEL);
    }

    @Test
    void implementationClasses_arePackagePrivateAndFinal() {
        classes().that().resideInAnyPackage(API_PACKAGES).and().areNotPublic().and().areTopLevelClasses()
                .and().areNotInterfaces().and().areNotEnums().and().areNotRecords()
                .should().haveModifier(JavaModifier.FINAL)
                .check(KERNEL);
    }

    @Test
    void packages_haveNoCycles() {
        slices().matching("io.keelson.kernel.(*)..").should().beFreeOfCycles().check(KERNEL);
    }

    @Test
    void theApiPackage_dependsOnNoControllerOrToolkitPackage() {
        noClasses().that().resideInAPackage("io.keelson.kernel")
                .should().dependOnClassesThat().resideInAnyPackage("io.keelson.kernel.(*)..")
                .check(KERNEL);
    }

    @Test
    void theKernel_neverImportsASchedulerPlugin() {
        noClasses().should().dependOnClassesThat().resideInAPackage("io.keelson.scheduler.plugins..")
                .check(KERNEL);
    }
}
