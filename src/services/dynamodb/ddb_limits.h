// Every limit of the built-in DynamoDB, named, with AWS's value where AWS has one (the DynamoDB
// Developer Guide, "Service, account, and table quotas in Amazon DynamoDB").
#pragma once

#include <cstddef>
#include <cstdint>

namespace stepwise::services::ddb_limits {

inline constexpr std::size_t table_name_min = 3;
inline constexpr std::size_t table_name_max = 255;
inline constexpr std::size_t index_name_min = 3;
inline constexpr std::size_t index_name_max = 255;
inline constexpr std::size_t item_bytes_max = 400 * 1024;  // 400 KB, names and values
inline constexpr std::size_t hash_key_bytes_max = 2048;
inline constexpr std::size_t range_key_bytes_max = 1024;
inline constexpr std::size_t attribute_name_bytes_max = 65'535;
inline constexpr std::size_t key_attribute_name_bytes_max = 255;
inline constexpr std::size_t expression_bytes_max = 4096;  // each expression string
inline constexpr std::size_t expression_names_bytes_max = 2 * 1024 * 1024;  // names+values
inline constexpr std::size_t expression_operators_max = 300;                // ops in one expression
inline constexpr std::size_t in_operands_max = 100;                         // IN (a, b, ...)
inline constexpr std::size_t document_depth_max = 32;                       // nested M/L levels
inline constexpr std::size_t number_digits_max = 38;                        // significant digits
inline constexpr int number_exponent_max = 125;                             // 9.99...E+125
inline constexpr int number_exponent_min = -130;                            // 1E-130
inline constexpr std::size_t gsi_max = 20;
inline constexpr std::size_t lsi_max = 5;
inline constexpr std::size_t projected_non_key_max = 100;  // NonKeyAttributes, all indexes
inline constexpr std::size_t batch_get_max = 100;
inline constexpr std::size_t batch_write_max = 25;
inline constexpr std::size_t transact_items_max = 100;
inline constexpr std::size_t transact_bytes_max = 4 * 1024 * 1024;  // 4 MB per transaction
inline constexpr std::size_t page_bytes_max = 1024 * 1024;          // Query/Scan read 1 MB per page
inline constexpr std::size_t list_tables_max = 100;                 // ListTables Limit
// The tag operations' ResourceArn (AWS's model: 1-1283); tags themselves: tag_limits
// (services/common/resource_tags.h).
inline constexpr std::size_t resource_arn_max = 1283;
inline constexpr std::int64_t throughput_min = 1;
inline constexpr std::int64_t throughput_max = 40'000;  // per-table default quota
// Not AWS quotas but this server's bounds, so memory stays bounded.
inline constexpr std::size_t tables_max = 2'500;      // AWS's per-region default
inline constexpr std::size_t items_max = 50'000'000;  // all tables together

}  // namespace stepwise::services::ddb_limits
