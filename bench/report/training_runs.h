// Training runs behind the result documents. A manifest (docs/results/
// manifest.jsonl) has one JSON object per run: the metrics file it is in
// (JSON lines of `sqt train --metrics`, one per epoch), which run of that
// file (files append, so one may hold several), the exact command, the
// commit, the machine and the date. docs/RESULTS.md says how to add a run.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace sqt::bench::report {

struct EpochRecord {
  int epoch = 0;
  double accuracy = 0;                // 0..1
  double elapsed_s = 0;               // since the run began (a resumed run continues the clock)
  std::optional<double> train_s;      // batches only (secure trainer)
  std::optional<double> test_s;       // the test pass (secure trainer)
  double bytes_sent = 0, rounds = 0;  // party 0, since the run began
  long batches = 0;
  std::string source;  // "file:line"
};

struct TrainingRun {
  // From the metrics file.
  std::string metrics;  // file name as the manifest lists it
  int index = 1;        // which run of that file, 1-based
  std::string model, protocol, init;
  std::optional<unsigned long long> seed;
  std::vector<EpochRecord> epochs;
  // From the manifest.
  std::string command, commit, machine, date, note;
  std::vector<double> milestones;  // accuracy percentages whose first-reach time is reported
  std::string source;              // "manifest:line"

  // The command's flags that change what is trained (not --protocol, --data,
  // --threads, ...), sorted: runs with the same model and recipe are twins.
  std::string recipe;
  const EpochRecord& last() const { return epochs.back(); }
  const EpochRecord& peak() const;  // the first epoch with the highest accuracy
};

// Splits one metrics file into runs the way `sqt plot` does: a run ends where
// the epochs start over or model, protocol or seed change. Throws
// sqt::FileError naming the file and line of a malformed record.
std::vector<TrainingRun> read_metrics_runs(const std::string& path, const std::string& name);

// Reads the manifest and every metrics file it names (relative to the
// manifest's folder). Every run of a listed file needs exactly one entry, the
// command's --model and --protocol must match the records, and every *.jsonl
// beside the manifest must be listed (no committed data left out).
std::vector<TrainingRun> load_training_runs(const std::string& manifest_path);

// "sqt train --model C --seed 1 --quiet --lr 0.05" -> "--lr 0.05 --seed 1".
std::string recipe_of(const std::string& command);

// The value of `--flag V` or `--flag=V` in the command; "" when absent.
std::string flag_value(const std::string& command, const std::string& flag);

}  // namespace sqt::bench::report
