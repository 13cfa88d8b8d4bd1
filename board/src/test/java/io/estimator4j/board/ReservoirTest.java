package io.estimator4j.board;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReservoirTest {

  @Test
  void keepsAnOrderedSampleEndingWithTheNewestItem() {
    Reservoir<Integer> r = new Reservoir<>(1000, 0);
    for (int i = 0; i < 5000; i++) {
      r.add(i);
    }
    List<Integer> kept = r.items();
    assertThat(kept).hasSize(1000).isSorted().doesNotHaveDuplicates();
    assertThat(kept.get(kept.size() - 1)).isEqualTo(4999);
    assertThat(r.seen()).isEqualTo(5000);
    // a uniform sample of 0..4999 has about a fifth of its items in each fifth of the stream
    long firstFifth = kept.stream().filter(i -> i < 1000).count();
    assertThat(firstFifth).isBetween(120L, 280L);
  }

  @Test
  void keepsEverythingUpToItsSizeOrWithSizeZero() {
    Reservoir<Integer> small = new Reservoir<>(10, 0);
    Reservoir<Integer> all = new Reservoir<>(0, 0);
    for (int i = 0; i < 10; i++) {
      small.add(i);
    }
    for (int i = 0; i < 3000; i++) {
      all.add(i);
    }
    assertThat(small.items()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    assertThat(all.items()).hasSize(3000);
  }

  @Test
  void filterScalesTheCountOfItemsSeen() {
    Reservoir<Integer> r = new Reservoir<>(100, 0);
    for (int i = 0; i < 100; i++) {
      r.add(i);
    }
    assertThat(r.filter(i -> i < 25)).isEqualTo(75);
    assertThat(r.items()).hasSize(25);
    assertThat(r.seen()).isEqualTo(25); // 100 seen * 25/100 kept
    assertThatThrownBy(() -> new Reservoir<Integer>(-1, 0))
        .hasMessageContaining("maxSize must be >= 0");
  }
}
