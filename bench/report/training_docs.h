// `sqt bench report --manifest M --out DIR [--readme FILE]`: the training
// runs of a manifest rendered into DIR/RESULTS.md and DIR/PERFORMANCE.md (the
// generated section only; text around it is kept) and accuracy plots drawn by
// `sqt plot` into DIR/img/.
#pragma once

#include <string>
#include <vector>

namespace sqt::bench::report {

struct TrainingDocsOptions {
  std::string manifest;
  std::string out_dir;
  std::string readme;  // also replace the generated section of this file ("" = none)
  std::string sqt;     // the sqt program that draws the plots ("" = no plots)
};

struct TrainingDocsSummary {
  std::vector<std::string> written;  // documents and plots
  std::string plots_skipped;         // why there are no plots, when there are none
  std::size_t runs = 0;
};

// Throws sqt::FileError naming the bad file and line of any input.
TrainingDocsSummary write_training_docs(const TrainingDocsOptions& options);

}  // namespace sqt::bench::report
