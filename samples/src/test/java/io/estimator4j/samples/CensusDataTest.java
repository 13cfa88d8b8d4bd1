package io.estimator4j.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

class CensusDataTest {
  @Test
  void cleansTheRawUciFilesLikeCensusDatasetPy() throws Exception {
    List<String> train = Files.readAllLines(CensusData.trainFile());
    List<String> test = Files.readAllLines(CensusData.testFile());
    // census_dataset.py: _NUM_EXAMPLES = {'train': 32561, 'validation': 16281}
    assertThat(train).hasSize(CensusData.TRAIN_EXAMPLES);
    assertThat(test).hasSize(CensusData.EVAL_EXAMPLES);
    // ", " became ",", the "|1x3 Cross validator" line and the trailing "." are gone
    assertThat(test.get(0))
        .isEqualTo(
            "25,Private,226802,11th,7,Never-married,Machine-op-inspct,"
                + "Own-child,Black,Male,0,0,40,United-States,<=50K");
    assertThat(train).allMatch(l -> l.split(",", -1).length == 15);
    assertThat(test).noneMatch(l -> l.endsWith("."));
    // 7841 of the 32561 training rows earn >50K (UCI's 24.08%)
    assertThat(train.stream().filter(l -> l.endsWith(",>50K")).count()).isEqualTo(7841);
  }
}
