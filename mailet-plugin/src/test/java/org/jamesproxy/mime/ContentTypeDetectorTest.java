package org.jamesproxy.mime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jamesproxy.mime.MimeSamples.exe;
import static org.jamesproxy.mime.MimeSamples.pdf;
import static org.jamesproxy.mime.MimeSamples.zip;

import java.util.Map;

import org.junit.jupiter.api.Test;

class ContentTypeDetectorTest {
    @Test
    void everyTypeDetectorFindsExecutablesPdfsAndZips() {
        ContentTypeDetector detector = ContentTypeDetector.forTypes(type -> true);

        assertThat(detector.detect(exe())).contains("application/x-msdownload").doesNotContain("application/octet-stream");
        assertThat(detector.detect(pdf())).contains("application/pdf");
        assertThat(detector.detect(zip(Map.of("a.txt", "x".getBytes())))).contains("application/zip");
    }

    @Test
    void subTypesOfARelevantTypeAreAskedAbout() {
        ContentTypeDetector detector = ContentTypeDetector.forTypes(type -> type.equals("application/x-msdownload"));

        assertThat(detector.size()).isGreaterThan(1);
        assertThat(detector.detect(exe())).startsWith("application/x-msdownload");
        assertThat(detector.detect(pdf())).isEmpty();
    }

    @Test
    void irrelevantTypesAreNotReported() {
        ContentTypeDetector detector = ContentTypeDetector.forTypes(type -> type.equals("application/pdf"));

        assertThat(detector.detect(exe())).isEmpty();
        assertThat(detector.detect(pdf())).containsExactly("application/pdf");
        assertThat(ContentTypeDetector.forTypes(type -> false).detect(exe())).isEmpty();
    }
}
