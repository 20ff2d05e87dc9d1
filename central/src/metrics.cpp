#include "gridsync/central/metrics.hpp"

#include <cstdio>

namespace gridsync::central {

namespace {

std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

// A label value as the text format wants it: backslash, quote and newline escaped.
std::string label(const std::string& v) {
    std::string out;
    for (const char c : v) {
        if (c == '\\' || c == '"')
            out += '\\';
        out += c == '\n' ? 'n' : c;
    }
    return out;
}

}  // namespace

void Metrics::Histogram::observe(double v) {
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
        if (v <= kBuckets[i])
            ++counts[i];
    }
    ++count;
    sum += v;
}

void Metrics::observe_push(double seconds, const sync::PushAcks& acks) {
    std::lock_guard lock(mutex_);
    push_seconds_.observe(seconds);
    for (const auto& a : acks.acks) {
        if (a.status == sync::AckStatus::accepted)
            ++accepted_;
        else if (a.status == sync::AckStatus::duplicate)
            ++duplicates_;
        else
            ++refused_[a.code.empty() ? "unknown" : a.code];
    }
}

void Metrics::observe_pull(double seconds, bool served) {
    std::lock_guard lock(mutex_);
    pull_seconds_.observe(seconds);
    ++(served ? pulls_ : pulls_refused_);
}

void Metrics::observe_refused_request(const std::string& path) {
    std::lock_guard lock(mutex_);
    ++requests_refused_[path];
}

std::string Metrics::render(store::Database& db, domain::EpochMs now) const {
    std::string out;
    auto help = [&](const char* name, const char* type, const char* text) {
        out += std::string("# HELP ") + name + " " + text + "\n# TYPE " + name + " " + type + "\n";
    };
    auto histogram = [&](const char* name, const Histogram& h) {
        for (std::size_t i = 0; i < kBuckets.size(); ++i) {
            out += std::string(name) + "_bucket{le=\"" + number(kBuckets[i]) + "\"} " +
                   std::to_string(h.counts[i]) + "\n";
        }
        out += std::string(name) + "_bucket{le=\"+Inf\"} " + std::to_string(h.count) + "\n";
        out += std::string(name) + "_sum " + number(h.sum) + "\n";
        out += std::string(name) + "_count " + std::to_string(h.count) + "\n";
    };
    {
        std::lock_guard lock(mutex_);
        help("gridsync_entries_accepted_total", "counter",
             "Entries accepted from devices since central started.");
        out += "gridsync_entries_accepted_total " + std::to_string(accepted_) + "\n";
        help("gridsync_entries_duplicate_total", "counter",
             "Entries offered again and acknowledged as already held.");
        out += "gridsync_entries_duplicate_total " + std::to_string(duplicates_) + "\n";
        help("gridsync_entries_refused_total", "counter", "Entries refused, by reason code.");
        for (const auto& [code, n] : refused_)
            out += "gridsync_entries_refused_total{code=\"" + label(code) + "\"} " +
                   std::to_string(n) + "\n";
        help("gridsync_requests_refused_total", "counter",
             "Whole device requests refused (bad signature, unknown device...), by path.");
        for (const auto& [path, n] : requests_refused_)
            out += "gridsync_requests_refused_total{path=\"" + label(path) + "\"} " +
                   std::to_string(n) + "\n";
        help("gridsync_pulls_total", "counter", "Pull requests served.");
        out += "gridsync_pulls_total " + std::to_string(pulls_) + "\n";
        help("gridsync_push_seconds", "histogram", "Time to handle one push request.");
        histogram("gridsync_push_seconds", push_seconds_);
        help("gridsync_pull_seconds", "histogram", "Time to handle one pull request.");
        histogram("gridsync_pull_seconds", pull_seconds_);
    }
    help("gridsync_conflicts_open", "gauge", "Conflicts waiting for an admin, by kind.");
    {
        auto st = db.prepare(
            "SELECT kind, count(*) FROM conflict WHERE state = 'open' GROUP BY kind ORDER BY kind");
        while (st.step()) {
            out += "gridsync_conflicts_open{kind=\"" + label(st.column<std::string>(0)) + "\"} " +
                   std::to_string(st.column<std::int64_t>(1)) + "\n";
        }
    }
    help("gridsync_devices", "gauge",
         "Enrolled devices not revoked, by how long ago central last heard from them.");
    {
        const std::int64_t hour = 3600000, day = 24 * hour;
        auto st = db.prepare(R"(
            SELECT CASE WHEN clock_checked_at_ms IS NULL THEN 'never'
                        WHEN ?1 - clock_checked_at_ms <= ?2 THEN '1h'
                        WHEN ?1 - clock_checked_at_ms <= ?3 THEN '1d'
                        WHEN ?1 - clock_checked_at_ms <= ?4 THEN '7d'
                        ELSE 'older' END AS age, count(*)
            FROM device WHERE revoked_at_ms IS NULL GROUP BY age)");
        st.bind_all(now, hour, day, 7 * day);
        std::map<std::string, std::int64_t> by_age = {
            {"1h", 0}, {"1d", 0}, {"7d", 0}, {"older", 0}, {"never", 0}};
        while (st.step())
            by_age[st.column<std::string>(0)] = st.column<std::int64_t>(1);
        for (const auto& [age, n] : by_age) {
            out += "gridsync_devices{last_contact=\"" + age + "\"} " + std::to_string(n) + "\n";
        }
    }
    help("gridsync_log_head", "gauge", "Position of the last entry in central's accepted log.");
    out += "gridsync_log_head " +
           std::to_string(
               db.query_value<std::int64_t>("SELECT coalesce(max(position), 0) FROM accepted_entry")
                   .value_or(0)) +
           "\n";
    return out;
}

}  // namespace gridsync::central
