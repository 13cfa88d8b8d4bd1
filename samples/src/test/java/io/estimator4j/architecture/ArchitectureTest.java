package io.estimator4j.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module and package rules of ARCHITECTURE.md, checked on the compiled classes of every module:
 * modules depend only in the direction of the README's module table, no {@code impl} package is
 * used from another module, and no module has a package cycle.
 */
class ArchitectureTest {

  /**
   * The modules, lowest first, with the top-level packages each owns and the modules it may use. A
   * new top-level package must be added here (see {@link #everyClassBelongsToItsModule}).
   */
  enum Module {
    FEATURE_COLUMNS(
        "feature-columns", List.of("io.estimator4j.featurecolumn", "io.estimator4j.graph")),
    SAVEDMODEL_EXPORT(
        "savedmodel-export",
        List.of(
            "io.estimator4j.savedmodel",
            "io.estimator4j.checkpoint",
            "io.estimator4j.metagraph",
            "io.estimator4j.tfrecord",
            "io.estimator4j.npy",
            "io.estimator4j.io")),
    ESTIMATOR_TF(
        "estimator-tf", List.of("io.estimator4j.estimator"), FEATURE_COLUMNS, SAVEDMODEL_EXPORT),
    KERAS_LOADER(
        "keras-loader",
        List.of("io.estimator4j.keras"),
        FEATURE_COLUMNS,
        SAVEDMODEL_EXPORT,
        ESTIMATOR_TF),
    BOARD("board", List.of("io.estimator4j.board"), SAVEDMODEL_EXPORT, ESTIMATOR_TF),
    MODEL_SERVER("model-server", List.of("io.estimator4j.serving"), SAVEDMODEL_EXPORT),
    SAMPLES(
        "samples",
        List.of("io.estimator4j.samples", "io.estimator4j.cli"),
        FEATURE_COLUMNS,
        SAVEDMODEL_EXPORT,
        ESTIMATOR_TF,
        KERAS_LOADER,
        BOARD,
        MODEL_SERVER);

    final String artifact;
    final List<String> packages;
    final Set<Module> uses;

    Module(String artifact, List<String> packages, Module... uses) {
      this.artifact = artifact;
      this.packages = packages;
      this.uses = Set.of(uses);
    }

    boolean owns(String packageName) {
      return packages.stream()
          .anyMatch(p -> packageName.equals(p) || packageName.startsWith(p + "."));
    }

    static Optional<Module> ofPackage(String packageName) {
      for (Module m : values()) {
        if (m.owns(packageName)) {
          return Optional.of(m);
        }
      }
      return Optional.empty();
    }

    /** The packages of every module this one may not use. */
    String[] forbiddenPackages() {
      List<String> out = new ArrayList<>();
      for (Module m : values()) {
        if (m != this && !uses.contains(m)) {
          m.packages.forEach(p -> out.add(p + ".."));
        }
      }
      return out.toArray(String[]::new);
    }

    String[] ownPackages() {
      return packages.stream().map(p -> p + "..").toArray(String[]::new);
    }
  }

  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(location -> !location.contains("-tests.jar"))
            .importPackages("io.estimator4j");
  }

  @Test
  void everyModuleIsImported() {
    Map<Module, Integer> counts = new LinkedHashMap<>();
    for (JavaClass c : classes) {
      Module.ofPackage(c.getPackageName()).ifPresent(m -> counts.merge(m, 1, Integer::sum));
    }
    assertThat(counts.keySet()).containsExactlyInAnyOrder(Module.values());
  }

  /** Every class sits in a package its module owns, so that the rules below see every module. */
  @Test
  void everyClassBelongsToItsModule() {
    Set<String> misplaced = new TreeSet<>();
    for (JavaClass c : classes) {
      String location = c.getSource().map(s -> s.getUri().toString()).orElse("");
      Optional<Module> owner = Module.ofPackage(c.getPackageName());
      if (owner.isEmpty()) {
        misplaced.add(c.getName() + " (no module owns package " + c.getPackageName() + ")");
      } else if (!location.contains("/" + owner.get().artifact + "/")
          && !location.contains("/" + owner.get().artifact + "-")) {
        misplaced.add(
            c.getName() + " (in " + location + ", expected module " + owner.get().artifact + ")");
      }
    }
    assertThat(misplaced)
        .as(
            "classes outside the packages their module owns: add the package to Module in"
                + " ArchitectureTest and to ARCHITECTURE.md, or move the class")
        .isEmpty();
  }

  @Test
  void modulesDependOnlyDownwards() {
    for (Module m : Module.values()) {
      String[] forbidden = m.forbiddenPackages();
      if (forbidden.length == 0) {
        continue;
      }
      ArchRule rule =
          noClasses()
              .that()
              .resideInAnyPackage(m.ownPackages())
              .should()
              .dependOnClassesThat()
              .resideInAnyPackage(forbidden)
              .because(m.artifact + " may use only " + m.uses + " (README's module table)");
      rule.check(classes);
    }
  }

  @Test
  void noImplPackageIsUsedFromAnotherModule() {
    for (Module m : Module.values()) {
      DescribedPredicate<JavaClass> otherModulesImpl =
          DescribedPredicate.describe(
              "reside in an impl package of another module than " + m.artifact,
              c ->
                  (c.getPackageName().endsWith(".impl") || c.getPackageName().contains(".impl."))
                      && Module.ofPackage(c.getPackageName()).filter(o -> o != m).isPresent());
      ArchRule rule =
          noClasses()
              .that()
              .resideInAnyPackage(m.ownPackages())
              .should()
              .dependOnClassesThat(otherModulesImpl)
              .because("impl packages are a module's own implementation details");
      rule.check(classes);
    }
  }

  @Test
  void noPackageCycles() {
    slices().matching("io.estimator4j.(**)").should().beFreeOfCycles().check(classes);
  }
}
