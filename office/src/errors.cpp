#include "gridsync/office/errors.hpp"

#include "gridsync/error_category.hpp"

namespace gridsync::office {

const std::error_category& category() noexcept {
    static const TableCategory<Errc> instance(
        "gridsync.office",
        {
            {Errc::bad_encoding, "文件编码无法识别 / the file's text encoding is not readable"},
            {Errc::bad_csv, "CSV 格式错误 / malformed CSV"},
            {Errc::bad_xlsx, "不是可读取的 Excel 工作簿 / not a readable Excel workbook"},
            {Errc::write_failed, "无法写出 Excel 文件 / the workbook could not be written"},
            {Errc::too_large, "文件太大 / the file is too large"},
            {Errc::empty, "文件没有表头 / the file has no header line"},
        });
    return instance;
}

}  // namespace gridsync::office
