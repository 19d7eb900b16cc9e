import grpc
from google.rpc import error_details_pb2
from motcua import errors
from motcua.rpc import status_for


def test_invalid_input_is_a_422_problem_listing_the_field():
    error = errors.invalid("/applicant/phone", "Số điện thoại không hợp lệ", "phone is not valid")
    problem = error.problem("/v1/dossiers")
    assert problem["status"] == 422
    assert problem["type"] == "https://motcua.vn/problems/invalid-input"
    assert problem["title"] == "Invalid input"
    assert problem["detail"] == "phone is not valid"
    assert problem["detail_vi"] == "Số điện thoại không hợp lệ"
    assert problem["instance"] == "/v1/dossiers"
    assert problem["errors"] == [
        {"pointer": "/applicant/phone", "detail": "Số điện thoại không hợp lệ", "detail_en": "phone is not valid"}]


def test_a_problem_without_field_errors_has_no_errors_member():
    problem = errors.NotFound(detail="no dossier X", reason="DOSSIER_NOT_FOUND").problem()
    assert problem["status"] == 404
    assert problem["reason"] == "DOSSIER_NOT_FOUND"
    assert "errors" not in problem
    assert "instance" not in problem


def test_each_error_class_has_its_own_status_codes():
    assert (errors.Conflict.http_status, errors.Conflict.grpc_code) == (409, grpc.StatusCode.FAILED_PRECONDITION)
    assert (errors.Unauthenticated.http_status, errors.Unauthenticated.grpc_code) == (
        401, grpc.StatusCode.UNAUTHENTICATED)
    assert (errors.Forbidden.http_status, errors.Forbidden.grpc_code) == (403, grpc.StatusCode.PERMISSION_DENIED)


def unpack(status, message_class):
    found = []
    for item in status.details:
        message = message_class()
        if item.Is(message.DESCRIPTOR):
            item.Unpack(message)
            found.append(message)
    return found


def test_status_for_packs_error_info_and_bad_request():
    error = errors.invalid("/applicant/citizen_id", "Mã tỉnh 097 không hợp lệ", "097 is not a province code")
    status = status_for(error, "intake")
    assert status.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    assert status.message == "097 is not a province code"
    [info] = unpack(status, error_details_pb2.ErrorInfo)
    assert info.domain == "intake"
    assert info.reason == "INVALID_INPUT"
    assert info.metadata["detail_vi"] == "Mã tỉnh 097 không hợp lệ"
    [bad] = unpack(status, error_details_pb2.BadRequest)
    assert [(v.field, v.description) for v in bad.field_violations] == [
        ("/applicant/citizen_id", "097 is not a province code")]


def test_status_for_uses_the_explicit_reason_and_omits_bad_request_without_fields():
    status = status_for(errors.Conflict(detail="already rated", reason="ALREADY_RATED"), "feedback")
    assert status.code == grpc.StatusCode.FAILED_PRECONDITION.value[0]
    [info] = unpack(status, error_details_pb2.ErrorInfo)
    assert info.reason == "ALREADY_RATED"
    assert unpack(status, error_details_pb2.BadRequest) == []
