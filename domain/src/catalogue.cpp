// The public service center's catalogue (../shared/seed/: "7类58项"). The
// article names the windows (咨询接待、就业失业管理、档案管理、社保、医保、社会
// 救助…), not the items; these 58 are a plausible list for a Chongqing
// subdistrict, with time limits in working days, for an admin to correct
// by importing the real one.
#include "gridsync/domain/reference.hpp"

namespace gridsync::domain {

const std::vector<ServiceType>& default_catalogue() {
    static const std::vector<ServiceType> items = {
        // 社会保险 (9)
        {"social_security_card", "社会保障卡申领", "社会保险", 20, "promised"},
        {"social_security_card_replace", "社会保障卡补换", "社会保险", 10, "promised"},
        {"resident_pension_enrol", "城乡居民养老保险参保登记", "社会保险", 5, "promised"},
        {"pension_qualification", "养老金领取资格认证", "社会保险", 1, "immediate"},
        {"pension_transfer", "养老保险关系转移接续", "社会保险", 15, "forwarded"},
        {"flexible_worker_enrol", "灵活就业人员参保登记", "社会保险", 5, "promised"},
        {"insurance_record", "社会保险参保证明", "社会保险", 1, "immediate"},
        {"survivor_benefit", "丧葬补助金及抚恤金申领", "社会保险", 15, "forwarded"},
        {"retiree_change", "退休人员信息变更", "社会保险", 5, "promised"},
        // 医疗保障 (8)
        {"medical_enrol", "城乡居民医保参保登记", "医疗保障", 5, "promised"},
        {"medical_card", "医保凭证办理", "医疗保障", 10, "promised"},
        {"chronic_disease", "门诊慢特病认定", "医疗保障", 20, "forwarded"},
        {"medical_reimbursement", "医疗费用零星报销", "医疗保障", 20, "forwarded"},
        {"medical_transfer", "医保关系转移接续", "医疗保障", 15, "forwarded"},
        {"medical_assistance", "医疗救助申请", "医疗保障", 15, "forwarded"},
        {"serious_illness", "大病保险待遇申请", "医疗保障", 20, "forwarded"},
        {"medical_record", "医保参保证明", "医疗保障", 1, "immediate"},
        // 就业创业 (8)
        {"unemployment_registration", "失业登记", "就业创业", 1, "immediate"},
        {"employment_card", "就业创业证", "就业创业", 10, "promised"},
        {"unemployment_benefit", "失业保险金申领", "就业创业", 10, "forwarded"},
        {"startup_loan", "创业担保贷款申请", "就业创业", 20, "forwarded"},
        {"public_welfare_job", "公益性岗位申请", "就业创业", 15, "promised"},
        {"hard_to_employ", "就业困难人员认定", "就业创业", 10, "promised"},
        {"training_subsidy", "职业培训补贴申请", "就业创业", 15, "forwarded"},
        {"flexible_worker_subsidy", "灵活就业社保补贴申请", "就业创业", 15, "forwarded"},
        // 社会救助 (8)
        {"dibao_application", "最低生活保障申请", "社会救助", 30, "forwarded"},
        {"tekun_application", "特困人员救助供养申请", "社会救助", 30, "forwarded"},
        {"temporary_assistance", "临时救助申请", "社会救助", 10, "promised"},
        {"low_income_family", "低收入家庭认定", "社会救助", 20, "forwarded"},
        {"education_assistance", "教育救助申请", "社会救助", 15, "forwarded"},
        {"housing_assistance", "住房救助申请", "社会救助", 30, "forwarded"},
        {"disaster_relief", "受灾人员救助", "社会救助", 5, "promised"},
        {"assistance_certificate", "社会救助证(低保证、特困证)", "社会救助", 10, "promised"},
        // 民政与养老助残 (10)
        {"elderly_card", "老年人优待证", "民政与养老助残", 10, "promised"},
        {"old_age_allowance", "高龄津贴申请", "民政与养老助残", 15, "forwarded"},
        {"disability_card", "残疾人证", "民政与养老助残", 20, "forwarded"},
        {"disability_subsidy", "残疾人两项补贴申请", "民政与养老助残", 15, "forwarded"},
        {"home_care", "居家养老服务申请", "民政与养老助残", 10, "promised"},
        {"funeral_subsidy", "惠民殡葬补贴", "民政与养老助残", 10, "promised"},
        {"veteran_card", "退役军人优待证", "民政与养老助残", 20, "forwarded"},
        {"veteran_information", "退役军人信息采集", "民政与养老助残", 5, "promised"},
        {"assistive_devices", "残疾人辅助器具申领", "民政与养老助残", 15, "forwarded"},
        {"children_in_difficulty", "困境儿童保障申请", "民政与养老助残", 20, "forwarded"},
        // 卫生健康 (8)
        {"only_child_honor", "独生子女父母光荣证", "卫生健康", 10, "promised"},
        {"birth_registration", "生育登记", "卫生健康", 5, "promised"},
        {"family_planning_reward", "计划生育家庭奖励扶助申请", "卫生健康", 20, "forwarded"},
        {"family_planning_special", "计划生育特别扶助申请", "卫生健康", 20, "forwarded"},
        {"maternity_allowance", "生育津贴申领", "卫生健康", 15, "forwarded"},
        {"migrant_birth_proof", "流动人口婚育证明", "卫生健康", 5, "promised"},
        {"health_record", "居民健康档案建档", "卫生健康", 1, "immediate"},
        {"family_doctor", "家庭医生签约", "卫生健康", 1, "immediate"},
        // 综合证明与档案 (7)
        {"residence_permit", "居住证", "综合证明与档案", 15, "forwarded"},
        {"residence_registration", "居住登记", "综合证明与档案", 5, "promised"},
        {"archive_consultation", "人事档案查阅", "综合证明与档案", 5, "promised"},
        {"archive_transfer", "人事档案转递", "综合证明与档案", 10, "promised"},
        {"archive_certificate", "存档证明", "综合证明与档案", 5, "promised"},
        {"residence_proof", "社区居住证明", "综合证明与档案", 3, "promised"},
        {"rental_registration", "房屋租赁登记备案", "综合证明与档案", 5, "promised"},
    };
    return items;
}

}  // namespace gridsync::domain
