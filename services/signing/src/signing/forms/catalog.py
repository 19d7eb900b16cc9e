"""Every word the documents print, one catalog per form; `{name}` fields are filled with str.format."""

from __future__ import annotations

from collections.abc import Mapping

from signing.forms.model import Channel, HandOverResult

COMMON: Mapping[str, str] = {
    "motto_country": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "motto_values": "Độc lập - Tự do - Hạnh phúc",
    "number": "Số: {number}",
    "place_date": "{place}, {date}",
    "date": "ngày {day} tháng {month} năm {year}",
    "time": "{hour:02d} giờ {minute:02d} phút, {date}",
    "short_time": "{hour:02d}:{minute:02d} {day:02d}/{month:02d}/{year}",
    "page": "{page}",
    "dossier_code": "Mã hồ sơ: {dossier_code}",
    "procedure": "{code} - {name}",
    "signed_hint": "(Ký số)",
    "verify": "Quét mã QR hoặc truy cập địa chỉ dưới đây để kiểm tra tính xác thực của văn bản:",
    "lookup": "Quét mã QR hoặc truy cập địa chỉ dưới đây để tra cứu tình trạng giải quyết hồ sơ:",
    "subject": "{title} - hồ sơ {dossier_code}",
    "applicant": "Ông/Bà:",
    "procedure_label": "Nội dung yêu cầu giải quyết:",
    "no_value": "-",
}

CHANNELS: Mapping[Channel, str] = {
    Channel.COUNTER: "Trực tiếp tại Bộ phận Một cửa",
    Channel.ONLINE: "Trực tuyến",
    Channel.POST: "Qua dịch vụ bưu chính công ích",
}

HAND_OVER_RESULTS: Mapping[HandOverResult, str] = {
    HandOverResult.EARLY: "Trước hạn",
    HandOverResult.ON_TIME: "Đúng hạn",
    HandOverResult.LATE: "Quá hạn",
}

RESULT: Mapping[str, str] = {
    "title": "THÔNG BÁO KẾT QUẢ GIẢI QUYẾT HỒ SƠ",
    "subtitle": "Thủ tục hành chính: {procedure}",
    "intro": "{agency} thông báo hồ sơ dưới đây đã được giải quyết xong:",
    "dossier_code": "Mã hồ sơ:",
    "procedure": "Thủ tục:",
    "applicant": "Người nộp hồ sơ:",
    "agency": "Cơ quan giải quyết:",
    "decided_at": "Thời điểm giải quyết:",
    "note": "Văn bản điện tử này được ký số theo quy định của pháp luật về giao dịch điện tử.",
    "signer_title": "ĐẠI DIỆN CƠ QUAN GIẢI QUYẾT",
    "reason": "Phê duyệt kết quả giải quyết hồ sơ",
}

RECEIPT: Mapping[str, str] = {
    "title": "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
    "intro": "{unit} đã tiếp nhận hồ sơ của:",
    "applicant": "Ông/Bà:",
    "phone": "Số điện thoại:",
    "address": "Địa chỉ:",
    "procedure": "Thủ tục hành chính:",
    "channel": "Hình thức nộp hồ sơ:",
    "documents": "1. Thành phần hồ sơ gồm:",
    "column_number": "STT",
    "column_name": "Tên giấy tờ",
    "column_copies": "Số bản",
    "column_note": "Ghi chú",
    "reused": "Sử dụng lại từ hồ sơ đã nộp, không phải nộp lại",
    "count": "2. Số lượng giấy tờ: {count}.",
    "count_reused": "2. Số lượng giấy tờ: {count}, trong đó {reused} giấy tờ được sử dụng lại.",
    "received_at": "3. Thời gian nhận hồ sơ: {time}.",
    "appointment_at": "4. Thời gian trả kết quả giải quyết hồ sơ: {time}.",
    "lookup_hint": "Ông/Bà dùng mã hồ sơ để tra cứu tình trạng giải quyết hồ sơ.",
    "rating": "Quét mã QR để đánh giá mức độ hài lòng:",
    "signer_title": "NGƯỜI TIẾP NHẬN HỒ SƠ",
    "reason": "Tiếp nhận hồ sơ",
}

SUPPLEMENT_REQUEST: Mapping[str, str] = {
    "title": "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
    "intro": "{unit} đã tiếp nhận hồ sơ của:",
    "intro_at": "Vào {time}, {unit} đã tiếp nhận hồ sơ của:",
    "request": "Sau khi xem xét, hồ sơ chưa đầy đủ, hợp lệ. Đề nghị Ông/Bà bổ sung, hoàn thiện hồ sơ "
               "gồm những nội dung sau:",
    "column_number": "STT",
    "column_document": "Giấy tờ cần bổ sung, hoàn thiện",
    "column_reason": "Nội dung, lý do",
    "due_at": "Thời hạn bổ sung, hoàn thiện hồ sơ: {time}.",
    "clock": "Thời gian Ông/Bà bổ sung, hoàn thiện hồ sơ không tính vào thời hạn giải quyết hồ sơ.",
    "contact": "Nếu có vướng mắc, Ông/Bà liên hệ số điện thoại {phone} để được hướng dẫn.",
    "signer_title": "NGƯỜI HƯỚNG DẪN",
    "reason": "Yêu cầu bổ sung, hoàn thiện hồ sơ",
}

REFUSAL: Mapping[str, str] = {
    "title": "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
    "intro": "{unit} đã tiếp nhận hồ sơ của:",
    "intro_at": "Vào {time}, {unit} đã tiếp nhận hồ sơ của:",
    "decision": "Sau khi xem xét, {unit} không tiếp nhận giải quyết hồ sơ này vì những lý do sau:",
    "item": "{number}. {text}",
    "closing": "Xin thông báo để Ông/Bà được biết.",
    "signer_title": "NGƯỜI TIẾP NHẬN HỒ SƠ",
    "reason": "Từ chối tiếp nhận giải quyết hồ sơ",
}

APOLOGY: Mapping[str, str] = {
    "title": "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
    "addressee": "Kính gửi Ông/Bà: {applicant}",
    "received": "Hồ sơ của Ông/Bà được tiếp nhận vào {time}.",
    "original": "Thời hạn trả kết quả giải quyết hồ sơ đã hẹn: {time}.",
    "delay": "Tuy nhiên, đến nay {agency} chưa trả được kết quả giải quyết hồ sơ cho Ông/Bà đúng hẹn.",
    "reason_label": "Lý do:",
    "apology": "Sự chậm trễ này đã gây phiền hà cho Ông/Bà. {agency} xin lỗi Ông/Bà và hẹn trả kết quả "
               "giải quyết hồ sơ vào {time}.",
    "closing": "Rất mong nhận được sự thông cảm của Ông/Bà.",
    "signer_title": "THỦ TRƯỞNG CƠ QUAN",
    "reason": "Xin lỗi và hẹn lại ngày trả kết quả",
}

CONTROL_SHEET: Mapping[str, str] = {
    "title": "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
    "applicant": "Người nộp hồ sơ:",
    "procedure": "Thủ tục hành chính:",
    "deciding_agency": "Cơ quan (bộ phận) giải quyết hồ sơ:",
    "coordinating": "Cơ quan phối hợp giải quyết hồ sơ:",
    "column_number": "STT",
    "column_step": "Bước xử lý",
    "column_giver": "Bên giao",
    "column_receiver": "Bên nhận",
    "column_handed_over_at": "Thời điểm giao, nhận",
    "column_due_at": "Hạn xử lý",
    "column_result": "Kết quả",
    "column_note": "Ghi chú",
    "signer_title": "CƠ QUAN GIẢI QUYẾT HỒ SƠ",
    "reason": "Xác nhận quá trình giải quyết hồ sơ",
}

FORMS: Mapping[str, Mapping[str, str]] = {
    "result": RESULT,
    "receipt": RECEIPT,
    "supplement_request": SUPPLEMENT_REQUEST,
    "refusal": REFUSAL,
    "apology": APOLOGY,
    "control_sheet": CONTROL_SHEET,
}
