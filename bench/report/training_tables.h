// The generated sections of docs/RESULTS.md, docs/PERFORMANCE.md and the
// README's headline, as markdown, from the runs of a manifest.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "bench/report/training_runs.h"

namespace sqt::bench::report {

// Runs of one network and recipe (seed included) under one variant of the
// secure protocols (--init, --trunc as written), by protocol. The plain
// (float) runs of that recipe join every variant: they have none.
struct Twins {
  std::string model, recipe, variant;
  std::map<std::string, std::vector<const TrainingRun*>> by_protocol;
};

// Groups with at least two protocols, in the order their runs first appear.
std::vector<Twins> float_versus_secure(const std::vector<TrainingRun>& runs);

// An accuracy plot drawn by `sqt plot`: where it is (relative to the
// document) and the command that drew it.
struct PlotRef {
  std::string model, path, command;
};

// `how`: the command that generated the section, said at its top.
std::string results_section(const std::vector<TrainingRun>& runs, const std::vector<PlotRef>& plots,
                            const std::string& how);
std::string performance_section(const std::vector<TrainingRun>& runs, const std::string& how);
std::string headline_section(const std::vector<TrainingRun>& runs, const std::string& how);

// 0.993 -> "99.30 %"; a gap in points, "+0.02".
std::string percent(double fraction);
std::string points(double difference_of_fractions);

// The lines that bracket a generated section in a document.
extern const char* const kBeginMarker;
extern const char* const kEndMarker;

// `document` with the text between the markers replaced by `section`.
// Throws sqt::FileError naming `path` when the markers are missing.
std::string replace_generated(const std::string& document, const std::string& section,
                              const std::string& path);

}  // namespace sqt::bench::report
